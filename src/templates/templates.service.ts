import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ConflictError } from '../http/errors';
import { JOIN_CONSENT_TEXT, JOIN_CONSENT_VERSION } from '../join/consent-text';
import type { ApplicationRow } from '../join/join.repo';
import type { MemberRow } from '../members/members.repo';
import { EMPLOYER_KIND_LABELS, LEVEL_LABELS } from '../registry/levels';
import type { OrgRow } from '../registry/org-row';
import { todayIso } from '../shared/dates';
import { formatDate, formatPhone, fullName } from '../shared/format';
import { findNul, nulMessage } from '../shared/nul';
import { withCases, type PersonName } from './person-cases';
import { renderTemplateDocx, renderTemplatePdf } from './render';
import {
  checkTemplate,
  TEMPLATE_KINDS,
  type FieldValues,
  type TemplateBody,
  type TemplateKind,
} from './templates.schemas';
import {
  currentTemplate,
  findTemplateVersion,
  insertTemplateVersion,
  listTemplateVersions,
  lockTemplateKind,
  memberFacts,
  nextTemplateVersion,
  organizationFacts,
  chairOf,
} from './templates.repo';

export type DocumentFormat = 'pdf' | 'docx';
export const DOCUMENT_FORMATS: readonly DocumentFormat[] = ['pdf', 'docx'];

/** The documents of a member card, in the order its buttons are listed. */
export const MEMBER_DOCUMENT_KINDS = [
  'membership-application',
  'consent',
  'dues-withholding',
  'admission-extract',
  'certificate',
] as const satisfies readonly TemplateKind[];

export interface GeneratedDocument {
  body: Buffer;
  type: string;
  fileName: string;
  /** The version of the kind's template it was generated from (a meeting's minutes keep it). */
  version: number;
}

export type UploadOutcome =
  { ok: true; id: number; kind: TemplateKind; version: number } | { ok: false; errors: string[] };

/**
 * The texts of the consent to processing personal data by their version, as the registry shows them: a
 * document of a consent carries the wording of the version it was given under, never today's.
 */
const CONSENT_TEXTS: Record<string, string> = { [JOIN_CONSENT_VERSION]: JOIN_CONSENT_TEXT };

const MIME = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const;

/** The JSON parser's complaint with the line it stopped on, in Russian. */
function jsonSyntaxError(text: string, err: Error): string {
  const lineColumn = /line (\d+) column (\d+)/.exec(err.message);
  const position = /position (\d+)/.exec(err.message)?.[1];
  const line = lineColumn ? Number(lineColumn[1]) : position ? text.slice(0, Number(position)).split('\n').length : 0;
  return `${line ? `Строка ${line}: ` : ''}шаблон не является корректным JSON — проверьте кавычки, запятые и скобки`;
}

type Person = Pick<MemberRow, 'surname' | 'name' | 'patronymic' | 'birthDate' | 'position' | 'phone' | 'email'>;

function personValues(p: Person): FieldValues {
  return {
    'member.surname': p.surname,
    'member.name': p.name,
    'member.patronymic': p.patronymic,
    'member.fullName': fullName(p),
    'member.birthDate': formatDate(p.birthDate),
    'member.position': p.position,
    'member.phone': p.phone ? formatPhone(p.phone) : null,
    'member.email': p.email,
  };
}

/**
 * The union's document templates (issue 20, item 3): versions uploaded by a federal administrator and
 * checked against their kind's fields, and the documents generated from the newest version of a kind
 * with a member's, an applicant's or an organization's data. Each generation is audited as a read of
 * the personal data it prints.
 */
export function createTemplatesService(db: Knex, opts: { checkUrl: (token: string) => string }) {
  /**
   * The document from the kind's newest version, and its audit row: a read of the personal data it prints,
   * on the person's or organization's row (`subject`), naming the template's kind and version.
   */
  async function generate(
    ctx: AuditContext,
    kind: TemplateKind,
    values: FieldValues,
    format: DocumentFormat,
    subject: { entity: string; id: number; organizationId: number; fileTag: string },
    person: PersonName | null = null,
    handle: Knex = db,
  ): Promise<GeneratedDocument> {
    const stored = await currentTemplate(handle, kind);
    if (!stored) throw new ConflictError(`Шаблон «${TEMPLATE_KINDS[kind].label}» ещё не загружен`);
    const source = {
      kind,
      version: stored.version,
      body: stored.body as TemplateBody,
      values: withCases({ 'date.today': formatDate(todayIso()), ...values }, person),
      generatedOn: formatDate(todayIso()),
    };
    const body = format === 'pdf' ? await renderTemplatePdf(source) : await renderTemplateDocx(source);
    await recordAudit(handle, ctx, {
      action: 'document.generated',
      entity: subject.entity,
      entityId: subject.id,
      organizationId: subject.organizationId,
      newValues: { kind, version: stored.version, format },
    });
    return { body, type: MIME[format], fileName: `${kind}-${subject.fileTag}.${format}`, version: stored.version };
  }

  return {
    versions: () => listTemplateVersions(db),
    version: (id: number) => findTemplateVersion(db, id),

    /** A new version of a kind from its JSON text: checked, numbered next, and from now on the one generated by. */
    async upload(ctx: AuditContext, userId: number, text: string): Promise<UploadOutcome> {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        return { ok: false, errors: [jsonSyntaxError(text, err as Error)] };
      }
      const withNul = findNul(json);
      if (withNul) return { ok: false, errors: [nulMessage(withNul)] };
      const checked = checkTemplate(text, json);
      if (!checked.ok) return checked;
      const { kind, title } = checked.body;
      return inTransaction(db, async (trx) => {
        await lockTemplateKind(trx, kind);
        const version = await nextTemplateVersion(trx, kind);
        const id = await insertTemplateVersion(trx, { kind, version, title, body: checked.body, uploadedBy: userId });
        await recordAudit(trx, ctx, {
          action: 'template.uploaded',
          entity: 'document_template',
          entityId: id,
          newValues: { kind, version },
        });
        return { ok: true, id, kind, version };
      });
    },

    /** A member card's document (the card already authorized by the route). */
    async memberDocument(ctx: AuditContext, member: MemberRow, kind: TemplateKind, format: DocumentFormat) {
      const facts = await memberFacts(db, member);
      const consent = facts.processingConsent;
      if (kind === 'consent' && consent && !CONSENT_TEXTS[consent.textVersion])
        throw new ConflictError(
          `Согласие дано по тексту версии «${consent.textVersion}», которого в реестре нет (согласие на бумаге): сформировать его нельзя, храните бумажный экземпляр`,
        );
      // without a consent on record: the current text, to be signed
      const consentVersion = consent?.textVersion ?? JOIN_CONSENT_VERSION;
      const values: FieldValues = {
        ...personValues(member),
        'member.workplace': member.organizationName,
        'member.joinedOn': formatDate(member.joinedOn),
        'organization.name': member.organizationName,
        'organization.inpo': member.organizationInpo,
        'organization.chairName': facts.chairName,
        'organization.employerName': facts.employerName,
        'organization.employerInn': facts.employerInn,
        'consent.version': consentVersion,
        'consent.text': CONSENT_TEXTS[consentVersion] ?? null,
        'consent.givenOn': consent ? formatDate(consent.givenOn) : null,
        'admission.on': formatDate(facts.admission?.on ?? member.joinedOn),
        'admission.protocolNumber': facts.admission?.protocolNumber ?? null,
        'admission.protocolDate': facts.admission?.protocolDate ? formatDate(facts.admission.protocolDate) : null,
        'card.number': facts.card?.number ?? null,
        'card.checkUrl': facts.card ? opts.checkUrl(facts.card.checkToken) : null,
      };
      return generate(
        ctx,
        kind,
        values,
        format,
        { entity: 'member', id: member.id, organizationId: member.organizationId, fileTag: String(member.id) },
        member,
      );
    },

    /** The membership application pre-filled for an online applicant of the queue. */
    async applicantDocument(ctx: AuditContext, a: ApplicationRow, format: DocumentFormat) {
      const values: FieldValues = {
        ...personValues(a),
        'member.workplace': a.workplace,
        'organization.name': a.organizationName,
        'organization.inpo': a.organizationInpo,
        'organization.chairName': await chairOf(db, a.organizationId),
        'organization.employerName': null,
        'organization.employerInn': null,
      };
      return generate(
        ctx,
        'membership-application',
        values,
        format,
        { entity: 'join_application', id: a.id, organizationId: a.organizationId, fileTag: `application-${a.id}` },
        a,
      );
    },

    /** The organization's registration card, from its passport. */
    async organizationDocument(ctx: AuditContext, org: OrgRow, format: DocumentFormat) {
      const facts = await organizationFacts(db, org);
      const values: FieldValues = {
        'organization.name': org.name,
        'organization.shortName': org.shortName,
        'organization.inpo': org.inpo,
        'organization.level': LEVEL_LABELS[org.level],
        'organization.parentName': facts.parentName,
        'organization.chairName': facts.chairName,
        'organization.address': org.address,
        'organization.phone': org.phone ? formatPhone(org.phone) : null,
        'organization.email': org.email,
        'organization.website': org.website,
        'organization.employerName': org.employerName,
        'organization.employerInn': org.employerInn,
        'organization.employerKind': org.employerKind ? EMPLOYER_KIND_LABELS[org.employerKind] : null,
        'organization.createdOn': formatDate(org.createdOn),
        'organization.membersCount': facts.activeMembers == null ? null : String(facts.activeMembers),
      };
      return generate(ctx, 'registration-card', values, format, {
        entity: 'organization',
        id: org.id,
        organizationId: org.id,
        fileTag: org.inpo,
      });
    },

    /**
     * A meeting's minutes as a PDF, from the values the meetings feature gathered (`meeting-minutes`' fields);
     * audited as a read of the organization's meeting like any generated document — on `trx` when given, so
     * that the audit row stands or falls with the closing that attaches the minutes.
     */
    meetingMinutes(
      ctx: AuditContext,
      values: FieldValues,
      meeting: { id: number; organizationId: number },
      trx: Knex = db,
    ) {
      return generate(
        ctx,
        'meeting-minutes',
        values,
        'pdf',
        { entity: 'meeting', id: meeting.id, organizationId: meeting.organizationId, fileTag: String(meeting.id) },
        null,
        trx,
      );
    },
  };
}

export type TemplatesService = ReturnType<typeof createTemplatesService>;
