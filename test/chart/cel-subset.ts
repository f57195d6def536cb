// Evaluates the small subset of CEL that the chart's matchConditions use, with CEL's strictness where it
// matters: selecting a field that is absent is an error (as in CEL), so an expression that reads
// object.metadata.name without a has() guard fails here on an object that has only generateName, just as
// the API server's evaluation would (and failurePolicy Fail would then reject the request).
// Grammar: || && == != in, has(path), 'strings', null, true, false, [lists], (parentheses), dotted paths.
// Anything else is refused, so the subset cannot silently drift from what the chart writes. The real
// CEL compiler is exercised by the e2e suite, which registers the webhooks on a kube-apiserver.

type Value = unknown;
type Node =
  | { op: 'or' | 'and' | 'eq' | 'ne' | 'in'; left: Node; right: Node }
  | { op: 'has'; path: string[] }
  | { op: 'path'; path: string[] }
  | { op: 'literal'; value: Value }
  | { op: 'list'; items: Node[] };

const TOKEN = /\s+|'[^'\\]*'|&&|\|\||==|!=|[()[\],.]|[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(source);
    if (!match) throw new Error(`unsupported CEL at ${at}: ${JSON.stringify(source.slice(at, at + 20))}`);
    if (!/^\s+$/.test(match[0])) tokens.push(match[0]);
  }
  return tokens;
}

export class CelError extends Error {}

export function compileCelSubset(source: string): (vars: Record<string, Value>) => boolean {
  const tokens = tokenize(source);
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string): string => {
    const token = tokens[i++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new Error(`expected ${expected ?? 'a token'} at token ${i - 1}, got ${token ?? 'end'}`);
    }
    return token;
  };
  const path = (): string[] => {
    const parts = [take()];
    while (peek() === '.') {
      take('.');
      parts.push(take());
    }
    for (const part of parts) if (!/^[A-Za-z_]\w*$/.test(part)) throw new Error(`bad path segment ${part}`);
    return parts;
  };
  const primary = (): Node => {
    const token = peek();
    if (token === '(') {
      take('(');
      const inner = or();
      take(')');
      return inner;
    }
    if (token === '[') {
      take('[');
      const items: Node[] = [];
      while (peek() !== ']') {
        items.push(primary());
        if (peek() === ',') take(',');
      }
      take(']');
      return { op: 'list', items };
    }
    if (token?.startsWith("'")) return { op: 'literal', value: take().slice(1, -1) };
    if (token === 'null' || token === 'true' || token === 'false') {
      take();
      return { op: 'literal', value: token === 'null' ? null : token === 'true' };
    }
    if (token === 'has') {
      take('has');
      take('(');
      const p = path();
      take(')');
      if (p.length < 2) throw new Error('has() needs a field selection');
      return { op: 'has', path: p };
    }
    return { op: 'path', path: path() };
  };
  const relation = (): Node => {
    const left = primary();
    const token = peek();
    if (token === '==' || token === '!=' || token === 'in') {
      take();
      return { op: token === '==' ? 'eq' : token === '!=' ? 'ne' : 'in', left, right: primary() };
    }
    return left;
  };
  const and = (): Node => {
    let left = relation();
    while (peek() === '&&') {
      take();
      left = { op: 'and', left, right: relation() };
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peek() === '||') {
      take();
      left = { op: 'or', left, right: and() };
    }
    return left;
  };
  const ast = or();
  if (i !== tokens.length) throw new Error(`unparsed CEL from token ${i}: ${tokens.slice(i).join(' ')}`);

  const select = (vars: Record<string, Value>, parts: string[]): Value => {
    const [root, ...fields] = parts as [string, ...string[]];
    if (!(root in vars)) throw new CelError(`undeclared reference to '${root}'`);
    let value = vars[root];
    for (const field of fields) {
      if (value === null || typeof value !== 'object' || !(field in value)) throw new CelError(`no such key: ${field}`);
      value = (value as Record<string, Value>)[field];
    }
    return value;
  };
  const evaluate = (node: Node, vars: Record<string, Value>): Value => {
    switch (node.op) {
      case 'literal':
        return node.value;
      case 'list':
        return node.items.map((item) => evaluate(item, vars));
      case 'path':
        return select(vars, node.path);
      case 'has': {
        const parent = select(vars, node.path.slice(0, -1));
        if (parent === null || typeof parent !== 'object') throw new CelError('has() on a non-map');
        return (node.path.at(-1) as string) in parent;
      }
      case 'eq':
        return evaluate(node.left, vars) === evaluate(node.right, vars);
      case 'ne':
        return evaluate(node.left, vars) !== evaluate(node.right, vars);
      case 'in': {
        const list = evaluate(node.right, vars);
        if (!Array.isArray(list)) throw new CelError('in needs a list');
        return list.includes(evaluate(node.left, vars));
      }
      case 'and':
        return evaluate(node.left, vars) === true && evaluate(node.right, vars) === true;
      case 'or':
        return evaluate(node.left, vars) === true || evaluate(node.right, vars) === true;
    }
  };
  return (vars) => {
    const result = evaluate(ast, vars);
    if (typeof result !== 'boolean') throw new CelError(`expression gave ${typeof result}, not bool`);
    return result;
  };
}
