import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FormulaError,
  compare,
  evaluate,
  parseExpression,
  parseRule,
  type Expr,
  type Scope,
} from '../../src/reports/forms/formula';

// The form language's hand-written parser, checked against a printer written here: whatever tree the
// printer writes (with as few parentheses as precedence allows, and random spacing), the parser reads
// the same tree back.

const PRECEDENCE = { '+': 1, '-': 1, '*': 2, '/': 2 } as const;

/** Source text of a tree; `space` is put around operators and after commas. */
function print(e: Expr, space = ''): string {
  const wrap = (inner: Expr, parens: boolean) => (parens ? `(${print(inner, space)})` : print(inner, space));
  switch (e.k) {
    case 'num':
      return String(e.v);
    case 'ind':
      return e.name;
    case 'line':
      return `@${e.no}`;
    case 'range':
      return `@${e.from}..@${e.to}`;
    case 'neg':
      return `-${wrap(e.a, e.a.k === 'bin')}`;
    case 'fn':
      return `${e.name}(${e.args.map((a) => print(a, space)).join(`,${space}`)})`;
    case 'bin': {
      const p = PRECEDENCE[e.op];
      // left-associative: an operand of the same precedence needs parentheses on the right only
      const left = wrap(e.a, e.a.k === 'bin' && PRECEDENCE[e.a.op] < p);
      const right = wrap(e.b, e.b.k === 'bin' && PRECEDENCE[e.b.op] <= p);
      return `${left}${space}${e.op}${space}${right}`;
    }
  }
}

const lineNo = fc.stringMatching(/^\d{2,3}$/);
const leaf: fc.Arbitrary<Expr> = fc.oneof(
  fc
    .oneof(
      fc.nat(100_000),
      fc.integer({ min: 0, max: 99_999 }).map((n) => n / 100),
    )
    .map((v): Expr => ({ k: 'num', v })),
  fc.constantFrom('members_working', 'staff_total', 'x', 'a_1', 'sum_total').map((name): Expr => ({ k: 'ind', name })),
  lineNo.map((no): Expr => ({ k: 'line', no })),
);
const { expr } = fc.letrec<{ expr: Expr; arg: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('expr').map((a): Expr => ({ k: 'neg', a })),
    fc.record({
      k: fc.constant('bin' as const),
      op: fc.constantFrom('+', '-', '*', '/'),
      a: tie('expr'),
      b: tie('expr'),
    }) as fc.Arbitrary<Expr>,
    fc.record({
      k: fc.constant('fn' as const),
      name: fc.constantFrom('sum', 'max', 'min'),
      args: fc.array(tie('arg'), { minLength: 1, maxLength: 3 }),
    }) as fc.Arbitrary<Expr>,
  ),
  arg: fc.oneof(
    tie('expr'),
    fc.record({ k: fc.constant('range' as const), from: lineNo, to: lineNo }) as fc.Arbitrary<Expr>,
  ),
}));
const spacing = fc.constantFrom('', ' ', '  ');

function errorOf(source: string, parse: (s: string) => unknown = parseExpression): string {
  try {
    parse(source);
  } catch (err) {
    if (err instanceof FormulaError) return err.message;
    throw err;
  }
  throw new Error(`«${source}» parsed without an error`);
}

/** The 1-based position an error message names. */
const positionIn = (message: string) => Number(/в позиции (\d+)/.exec(message)?.[1]);

describe('form formulas', () => {
  it('when any expression is printed and parsed again, then the same tree comes back, whatever the spacing', () => {
    fc.assert(
      fc.property(expr, spacing, (e, space) => {
        expect(parseExpression(print(e, space))).toEqual(e);
      }),
    );
  });

  it('when operators mix without parentheses, then * and / bind tighter than + and -, and each is left-associative', () => {
    const num = fc.integer({ min: 1, max: 50 });
    const op = fc.constantFrom('+', '-', '*', '/');
    fc.assert(
      fc.property(num, op, num, op, num, (a, op1, b, op2, c) => {
        const source = `${a} ${op1} ${b} ${op2} ${c}`;
        // JavaScript's own arithmetic has the precedence the forms promise
        const expected = new Function(`return ${source}`)() as number;
        expect(evaluate(parseExpression(source), emptyScope)).toBeCloseTo(expected, 9);
      }),
    );
    expect(parseExpression('@01 - @02 - @03')).toEqual(parseExpression('(@01 - @02) - @03'));
    expect(parseExpression('-@01 * 2')).toEqual({
      k: 'bin',
      op: '*',
      a: { k: 'neg', a: { k: 'line', no: '01' } },
      b: { k: 'num', v: 2 },
    });
  });

  it('when a character outside the language follows any valid expression, then the error names it and its position', () => {
    fc.assert(
      fc.property(expr, spacing, fc.constantFrom('$', '#', '?', '%', 'Ж', '😀'), (e, space, bad) => {
        const source = `${print(e, space)} ${space}${bad}`;
        const message = errorOf(source);
        expect(message).toContain(`«${bad}»`);
        expect(source.slice(positionIn(message) - 1)).toBe(bad);
      }),
    );
  });

  it('when a token is left over after a complete expression, then the error points at it', () => {
    fc.assert(
      fc.property(expr, spacing, fc.constantFrom(')', '7', '@05', 'x'), (e, space, extra) => {
        const source = `${print(e, space)} ${extra}`;
        const message = errorOf(source);
        expect(message).toMatch(/^лишнее «/);
        expect(source.slice(positionIn(message) - 1)).toBe(extra);
      }),
    );
  });

  it('when an expression is broken, then the message says how, with the position where there is one', () => {
    expect(errorOf('(1 + 2')).toBe('ожидалось «)», а выражение закончилось');
    expect(errorOf('1 +')).toBe('выражение оборвано');
    expect(errorOf('1 + * 2')).toBe('неожиданное «*» в позиции 5');
    expect(errorOf('@01..@03')).toBe('диапазон строк в позиции 1 допустим только внутри sum/max/min');
    expect(errorOf('sum(@01..2)')).toBe('после «..» ожидалась строка вида @30 в позиции 10');
    expect(errorOf('avg(@01)')).toBe('неизвестная функция «avg» (есть: sum, max, min)');
    expect(errorOf('sum(@01 @02)')).toBe('ожидалось «)» в позиции 9, а стоит «02»');
    expect(errorOf('@01 + @02', parseRule)).toBe('в проверке нужно сравнение: <=, >=, =, !=, < или >');
  });

  it('when a rule is parsed, then both sides and the comparison come back', () => {
    expect(parseRule('@02 <= @01 + 1')).toEqual({
      left: { k: 'line', no: '02' },
      op: '<=',
      right: parseExpression('@01 + 1'),
    });
    for (const op of ['<=', '>=', '!=', '=', '<', '>'] as const) expect(parseRule(`x ${op} 1`).op).toBe(op);
  });

  it('when a value is missing or a divisor is zero, then the result is empty, never a made-up number', () => {
    const scope: Scope = { indicator: (n) => (n === 'known' ? 4 : null), line: () => null, range: () => [1, null] };
    expect(evaluate(parseExpression('known + unknown'), scope)).toBeNull();
    expect(evaluate(parseExpression('known / 0'), scope)).toBeNull();
    expect(evaluate(parseExpression('-unknown'), scope)).toBeNull();
    expect(evaluate(parseExpression('sum(@01..@03)'), scope)).toBeNull();
    expect(evaluate(parseExpression('max(known, 2 * known, 3)'), scope)).toBe(8);
    expect(evaluate(parseExpression('min(known, 3)'), scope)).toBe(3);
  });

  it('when numbers are compared, then float noise below 1e-9 does not decide a control', () => {
    expect(compare(0.1 + 0.2, '=', 0.3)).toBe(true);
    expect(compare(0.1 + 0.2, '<=', 0.3)).toBe(true);
    expect(compare(0.3, '>=', 0.1 + 0.2)).toBe(true);
    expect(compare(0.1 + 0.2, '>', 0.3)).toBe(false);
    expect(compare(0.1 + 0.2, '!=', 0.3)).toBe(false);
    expect(compare(1, '<', 2)).toBe(true);
  });
});

const emptyScope: Scope = { indicator: () => null, line: () => null, range: () => [] };
