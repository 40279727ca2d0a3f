// The expression language of form lines and controls: numbers, indicators (members_working), other
// lines (@02), + - * /, parentheses, and sum/max/min over arguments or a line range (@22..@30).
// Expressions are parsed once into a tree; evaluation is column by column and null-propagating
// (a value the registry does not hold stays empty, it never becomes a made-up zero).

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'ind'; name: string }
  | { k: 'line'; no: string }
  | { k: 'range'; from: string; to: string }
  | { k: 'neg'; a: Expr }
  | { k: 'bin'; op: '+' | '-' | '*' | '/'; a: Expr; b: Expr }
  | { k: 'fn'; name: string; args: Expr[] };

export const COMPARISONS = ['<=', '>=', '!=', '=', '<', '>'] as const;
export type Comparison = (typeof COMPARISONS)[number];
export interface Rule {
  left: Expr;
  op: Comparison;
  right: Expr;
}

export const FUNCTIONS = ['sum', 'max', 'min'] as const;

export class FormulaError extends Error {}

type Token = { t: 'num' | 'ident' | 'line' | 'op' | 'cmp'; v: string; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|(@\d{2,3})|([a-z_][a-z0-9_]*)|(<=|>=|!=|=|<|>)|(\.\.|[-+*/(),]))/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(source);
    if (!m) {
      const bad = at + (source.slice(at).length - source.slice(at).trimStart().length); // past the spaces before it
      throw new FormulaError(
        `непонятный символ «${String.fromCodePoint(source.codePointAt(bad)!)}» в позиции ${bad + 1}`,
      );
    }
    const pos = m.index + m[0].length - m[0].trimStart().length;
    if (m[1]) tokens.push({ t: 'num', v: m[1], at: pos });
    else if (m[2]) tokens.push({ t: 'line', v: m[2].slice(1), at: pos });
    else if (m[3]) tokens.push({ t: 'ident', v: m[3], at: pos });
    else if (m[4]) tokens.push({ t: 'cmp', v: m[4], at: pos });
    else tokens.push({ t: 'op', v: m[5] ?? '', at: pos });
    at = re.lastIndex;
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek() {
    return this.tokens[this.i];
  }
  private take(v?: string): Token {
    const tok = this.tokens[this.i];
    if (!tok) throw new FormulaError(v ? `ожидалось «${v}», а выражение закончилось` : 'выражение оборвано');
    if (v && tok.v !== v) throw new FormulaError(`ожидалось «${v}» в позиции ${tok.at + 1}, а стоит «${tok.v}»`);
    this.i++;
    return tok;
  }
  done() {
    const tok = this.peek();
    if (tok) throw new FormulaError(`лишнее «${tok.v}» в позиции ${tok.at + 1}`);
  }
  atComparison(): Comparison | null {
    const tok = this.peek();
    return tok?.t === 'cmp' ? (this.take().v as Comparison) : null;
  }

  expr(): Expr {
    let left = this.term();
    for (let tok = this.peek(); tok && (tok.v === '+' || tok.v === '-'); tok = this.peek()) {
      this.i++;
      left = { k: 'bin', op: tok.v, a: left, b: this.term() };
    }
    return left;
  }
  private term(): Expr {
    let left = this.factor(false);
    for (let tok = this.peek(); tok && (tok.v === '*' || tok.v === '/'); tok = this.peek()) {
      this.i++;
      left = { k: 'bin', op: tok.v, a: left, b: this.factor(false) };
    }
    return left;
  }
  private factor(rangeAllowed: boolean): Expr {
    const tok = this.take();
    if (tok.t === 'num') return { k: 'num', v: Number(tok.v) };
    if (tok.v === '-') return { k: 'neg', a: this.factor(false) };
    if (tok.v === '(') {
      const inner = this.expr();
      this.take(')');
      return inner;
    }
    if (tok.t === 'line') {
      if (this.peek()?.v !== '..') return { k: 'line', no: tok.v };
      if (!rangeAllowed)
        throw new FormulaError(`диапазон строк в позиции ${tok.at + 1} допустим только внутри sum/max/min`);
      this.take('..');
      const end = this.take();
      if (end.t !== 'line') throw new FormulaError(`после «..» ожидалась строка вида @30 в позиции ${end.at + 1}`);
      return { k: 'range', from: tok.v, to: end.v };
    }
    if (tok.t === 'ident') {
      if (this.peek()?.v !== '(') return { k: 'ind', name: tok.v };
      if (!(FUNCTIONS as readonly string[]).includes(tok.v))
        throw new FormulaError(`неизвестная функция «${tok.v}» (есть: ${FUNCTIONS.join(', ')})`);
      this.take('(');
      const args: Expr[] = [this.argument()];
      while (this.peek()?.v === ',') {
        this.take(',');
        args.push(this.argument());
      }
      this.take(')');
      return { k: 'fn', name: tok.v, args };
    }
    throw new FormulaError(`неожиданное «${tok.v}» в позиции ${tok.at + 1}`);
  }
  private argument(): Expr {
    const save = this.i;
    const tok = this.peek();
    if (tok?.t === 'line' && this.tokens[this.i + 1]?.v === '..') return this.factor(true);
    this.i = save;
    return this.expr();
  }
}

export function parseExpression(source: string): Expr {
  const p = new Parser(tokenize(source));
  const e = p.expr();
  p.done();
  return e;
}

export function parseRule(source: string): Rule {
  const p = new Parser(tokenize(source));
  const left = p.expr();
  const op = p.atComparison();
  if (!op) throw new FormulaError('в проверке нужно сравнение: <=, >=, =, !=, < или >');
  const right = p.expr();
  p.done();
  return { left, op, right };
}

/** Every indicator and line an expression mentions (ranges expanded by the caller's line order). */
export function references(
  e: Expr,
  out: { indicators: Set<string>; lines: Set<string>; ranges: { from: string; to: string }[] },
) {
  switch (e.k) {
    case 'ind':
      out.indicators.add(e.name);
      break;
    case 'line':
      out.lines.add(e.no);
      break;
    case 'range':
      out.ranges.push({ from: e.from, to: e.to });
      break;
    case 'neg':
      references(e.a, out);
      break;
    case 'bin':
      references(e.a, out);
      references(e.b, out);
      break;
    case 'fn':
      for (const a of e.args) references(a, out);
      break;
    case 'num':
      break;
  }
  return out;
}

export interface Scope {
  indicator(name: string): number | null;
  line(no: string): number | null;
  range(from: string, to: string): (number | null)[];
}

export function evaluate(e: Expr, scope: Scope): number | null {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'ind':
      return scope.indicator(e.name);
    case 'line':
      return scope.line(e.no);
    case 'range':
      throw new FormulaError('диапазон строк вне функции');
    case 'neg': {
      const a = evaluate(e.a, scope);
      return a == null ? null : -a;
    }
    case 'bin': {
      const a = evaluate(e.a, scope);
      const b = evaluate(e.b, scope);
      if (a == null || b == null) return null;
      if (e.op === '+') return a + b;
      if (e.op === '-') return a - b;
      if (e.op === '*') return a * b;
      return b === 0 ? null : a / b;
    }
    case 'fn': {
      const values = e.args.flatMap((a) => (a.k === 'range' ? scope.range(a.from, a.to) : [evaluate(a, scope)]));
      if (values.some((v) => v == null)) return null;
      const nums = values as number[];
      if (e.name === 'sum') return nums.reduce((s, v) => s + v, 0);
      return e.name === 'max' ? Math.max(...nums) : Math.min(...nums);
    }
  }
}

export function compare(left: number, op: Comparison, right: number): boolean {
  const eps = 1e-9;
  switch (op) {
    case '<=':
      return left <= right + eps;
    case '>=':
      return left + eps >= right;
    case '=':
      return Math.abs(left - right) < eps;
    case '!=':
      return Math.abs(left - right) >= eps;
    case '<':
      return left < right - eps;
    case '>':
      return left > right + eps;
  }
}
