// JSON.parse explains a syntax error in English and by character offset ("Expected double-quoted property
// name in JSON at position 7"): the administrator uploading a form gets the line, the column and the usual cause in Russian.

const CUT_OFF = 'текст обрывается: не хватает закрывающей скобки или кавычки';
const CAUSES: [RegExp, string][] = [
  [/end of JSON input|Unterminated string/i, CUT_OFF],
  [/property name/i, 'название поля должно стоять в двойных кавычках, а после последнего элемента запятая не ставится'],
  [/after (array element|property value)/i, 'не хватает запятой между элементами или закрывающей скобки'],
  [/after JSON/i, 'после закрывающей скобки определения лишний текст'],
  [
    /Bad control character|Bad escaped character/i,
    'в строке недопустимый символ: перевод строки или обратная косая черта без пары',
  ],
];

/** Where the parser stopped, as line and column (1-based), from the message of any recent Node version. */
function errorPlace(text: string, message: string): { line: number; column: number; atEnd: boolean } | null {
  const lines = text.trimEnd().split('\n');
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) {
    const [line, column] = [Number(lineColumn[1]), Number(lineColumn[2])];
    return { line, column, atEnd: line === lines.length && column > lines.at(-1)!.length };
  }
  const position =
    /position (\d+)/.exec(message)?.[1] ?? (/end of JSON input/i.test(message) ? text.trimEnd().length : null);
  if (position == null) return null;
  const before = text.slice(0, Number(position)).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1, atEnd: Number(position) >= text.trimEnd().length };
}

/** The Russian message for a definition that is not valid JSON. */
export function jsonSyntaxMessage(text: string, error: Error): string {
  if (!text.trim()) return 'Определение формы пустое: выберите файл JSON или вставьте его текст';
  const place = errorPlace(text, error.message);
  // "Expected ',' or ']'" at the very end means the text was cut off, not that a comma is missing
  const cause = place?.atEnd
    ? CUT_OFF
    : (CAUSES.find(([pattern]) => pattern.test(error.message))?.[1] ?? 'неожиданный символ');
  const where = place ? `строка ${place.line}, позиция ${place.column}` : 'место не определено';
  const fragment = place ? text.split('\n')[place.line - 1]!.trim().slice(0, 80) : '';
  return `Определение формы не является корректным JSON (${where}): ${cause}.${fragment ? ` Строка: «${fragment}»` : ''}`;
}
