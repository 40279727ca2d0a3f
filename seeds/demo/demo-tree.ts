import type { EmployerKind, Level } from '../../src/registry/levels';

export interface DemoOrg {
  key?: string;
  level: Level;
  name: string;
  shortName?: string;
  regionCode?: number;
  employerKind?: EmployerKind;
  hasTerritorialRights?: boolean;
  /** Members to generate directly in this organization. */
  members?: number;
  /** Share of students among them (universities and colleges). */
  studentShare?: number;
  children?: DemoOrg[];
}

const ppo = (name: string, employerKind: EmployerKind, members: number, key?: string): DemoOrg => ({
  key,
  level: 'primary',
  name: `Первичная профсоюзная организация ${name}`,
  shortName: `ППО ${name}`,
  employerKind,
  members,
});

/** Four real regional organizations of the union with a few of their territorial and primary organizations. */
export const DEMO_TREE: DemoOrg = {
  key: 'union',
  level: 'union',
  name: 'Общероссийский Профсоюз образования',
  shortName: 'Профсоюз образования',
  children: [
    {
      key: 'tatarstan',
      level: 'regional',
      regionCode: 16,
      name: 'Региональная организация Общероссийского Профсоюза образования в Республике Татарстан',
      shortName: 'Татарстанская республиканская организация',
      children: [
        {
          key: 'kazan',
          level: 'territorial',
          name: 'Казанская городская организация Профсоюза',
          children: [
            ppo('МБОУ «Гимназия № 7» г. Казани', 'school', 38, 'gymnasium7'),
            ppo('МБОУ «Средняя общеобразовательная школа № 39» г. Казани', 'school', 31),
            ppo('МАДОУ «Детский сад № 12» г. Казани', 'kindergarten', 17),
          ],
        },
        {
          key: 'almetyevsk',
          level: 'territorial',
          name: 'Альметьевская районная организация Профсоюза',
          children: [
            ppo('МБОУ «Лицей № 2» г. Альметьевска', 'school', 26),
            ppo('МБДОУ «Детский сад № 5 «Сказка»', 'kindergarten', 12),
          ],
        },
        {
          key: 'kfu',
          level: 'primary',
          name: 'Первичная профсоюзная организация работников и обучающихся Казанского (Приволжского) федерального университета',
          shortName: 'ППО КФУ',
          employerKind: 'university',
          hasTerritorialRights: true,
          members: 14,
          studentShare: 0.2,
          children: [
            {
              level: 'subdivision',
              name: 'Профсоюзная организация Института математики и механики им. Н. И. Лобачевского',
              members: 22,
              studentShare: 0.7,
              children: [
                { level: 'group', name: 'Профсоюзная группа кафедры алгебры и математической логики', members: 6 },
              ],
            },
            {
              level: 'subdivision',
              name: 'Профсоюзная организация Института филологии и межкультурной коммуникации',
              members: 18,
              studentShare: 0.6,
            },
          ],
        },
      ],
    },
    {
      key: 'kaliningrad',
      level: 'regional',
      regionCode: 39,
      name: 'Калининградская областная организация Общероссийского Профсоюза образования',
      shortName: 'Калининградская областная организация',
      children: [
        {
          level: 'territorial',
          name: 'Калининградская городская организация Профсоюза',
          children: [
            ppo('МАОУ «Лицей № 23» г. Калининграда', 'school', 24),
            ppo('МАДОУ «Центр развития ребёнка — детский сад № 115»', 'kindergarten', 11),
          ],
        },
        {
          level: 'territorial',
          name: 'Гурьевская районная организация Профсоюза',
          children: [ppo('МАОУ «Гимназия г. Гурьевска»', 'school', 15)],
        },
      ],
    },
    {
      key: 'nizhny',
      level: 'regional',
      regionCode: 52,
      name: 'Нижегородская областная организация Общероссийского Профсоюза образования',
      shortName: 'Нижегородская областная организация',
      children: [
        {
          level: 'territorial',
          name: 'Автозаводская районная организация Профсоюза г. Нижнего Новгорода',
          children: [
            ppo('МБОУ «Школа № 128» г. Нижнего Новгорода', 'school', 27),
            ppo('МБУ ДО «Дом детского творчества Автозаводского района»', 'additional', 9),
          ],
        },
        {
          level: 'territorial',
          name: 'Арзамасская городская организация Профсоюза',
          children: [
            { ...ppo('ГБПОУ «Арзамасский коммерческо-технический техникум»', 'college', 21), studentShare: 0.5 },
          ],
        },
      ],
    },
    {
      key: 'orel',
      level: 'regional',
      regionCode: 57,
      name: 'Орловская областная организация Общероссийского Профсоюза образования',
      shortName: 'Орловская областная организация',
      children: [
        {
          level: 'territorial',
          name: 'Орловская городская организация Профсоюза',
          children: [ppo('МБОУ «Средняя общеобразовательная школа № 35 им. А. Г. Перелыгина» г. Орла', 'school', 25)],
        },
        {
          level: 'territorial',
          name: 'Мценская районная организация Профсоюза',
          children: [ppo('МБОУ «Лицей № 1 им. С. Н. Булгакова» г. Мценска', 'school', 13)],
        },
      ],
    },
  ],
};
