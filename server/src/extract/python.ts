import type { SyntaxNode as Node } from './tree';
import { decodeEscapes, Extractor, fit, NO_KWARGS, span } from './base';
import type { Expr, Param } from './ir';

/** Python: redis-py sync and asyncio code. */
export class PythonExtractor extends Extractor {
  protected visitNode(node: Node): void {
    switch (node.type) {
      case 'function_definition':
        return this.functionDef(node);
      case 'class_definition': {
        const name = node.childForFieldName('name')?.text;
        const bases = node.childForFieldName('superclasses')?.namedChildren.flatMap((c) => (c && c.type !== 'keyword_argument' ? [c.text] : []));
        this.withScope(node, 'class', [], bases?.length ? { name, bases } : { name }, () => this.visitChildren(node));
        return;
      }
      case 'assignment':
        this.assignment(node);
        return this.visitChildren(node);
      case 'with_statement':
        this.withStatement(node);
        return this.visitChildren(node);
      case 'import_statement':
      case 'import_from_statement':
        return this.importStatement(node);
      case 'call':
        this.expr(node);
        return this.visitChildren(node);
      case 'subscript':
        if (!this.stores.has(node.key)) this.dunder(node, '__getitem__', node.childForFieldName('value'), [node.childForFieldName('subscript')]);
        return this.visitChildren(node);
      case 'delete_statement':
        for (const target of node.namedChildren[0]?.type === 'expression_list' ? node.namedChildren[0].namedChildren : node.namedChildren)
          if (target?.type === 'subscript') {
            this.stores.add(target.key);
            this.dunder(target, '__delitem__', target.childForFieldName('value'), [target.childForFieldName('subscript')]);
          }
        return this.visitChildren(node);
      case 'comparison_operator': {
        // `key in client`, `key not in client`
        const [left, right] = node.namedChildren;
        const ops = node.children.filter((c) => c && !c.isNamed).map((c) => c!.text);
        if (node.namedChildren.length === 2 && (ops.join(' ') === 'in' || ops.join(' ') === 'not in')) this.dunder(node, '__contains__', right, [left]);
        return this.visitChildren(node);
      }
      default:
        return this.visitChildren(node);
    }
  }

  /** subscripts that are assigned or deleted, not read */
  private stores = new Set<number | string>();

  /**
   * redis-py's Redis defines `r[key]` (GET), `r[key] = v` (SET), `del r[key]` (DEL) and `key in r`
   * (EXISTS): each is recorded as a call of its dunder method on a plain name or attribute, for the
   * client profiles to read like any method (a dict's or a list's is not a client, and gives nothing).
   */
  private dunder(node: Node, method: string, object: Node | null | undefined, args: (Node | null | undefined)[]): void {
    if (!object || (object.type !== 'identifier' && object.type !== 'attribute') || args.some((a) => !a)) return;
    const callee: Expr = { span: span(object), text: `${object.text}.${method}`, k: 'attr', object: this.expr(object), name: method };
    this.recordCall({ span: span(node), text: node.text, k: 'call', callee, args: args.map((a) => this.expr(a!)), kwargs: NO_KWARGS, isNew: false, id: this.callId(node) });
  }

  private functionDef(node: Node): void {
    const name = node.childForFieldName('name')?.text ?? '';
    const params = this.params(node.childForFieldName('parameters'));
    const className = this.currentClass();
    const inClass = this.facts.scopes.get(this.scope)?.kind === 'class';
    const scope = this.withScope(node, 'function', params, { name, className: inClass ? className : undefined }, () => {
      const body = node.childForFieldName('body');
      if (body) this.visit(body);
    });
    const returns: Expr[] = [];
    // returns, and a @contextmanager's `yield conn` (what `with f() as c` binds), in one walk
    collect(node.childForFieldName('body'), ['return_statement', 'yield'], (r) => {
      const v = r.namedChildren[0];
      if (v) returns.push(this.exprIn(v, scope));
    });
    // methods: drop self/cls so call arguments line up
    const callable = inClass && params.length && (params[0].name === 'self' || params[0].name === 'cls') ? params.slice(1) : params;
    this.facts.functions.push({ name, scope, className: inClass ? className : undefined, params: callable, returns: fit(returns) });
  }

  private params(node: Node | null): Param[] {
    const out: Param[] = [];
    for (const p of node?.namedChildren ?? []) {
      if (!p) continue;
      if (p.type === 'identifier') out.push({ name: p.text });
      else if (p.type === 'typed_parameter') out.push({ name: p.namedChildren[0]?.text ?? '', type: p.childForFieldName('type')?.text });
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter')
        out.push({ name: p.childForFieldName('name')?.text ?? '', type: p.childForFieldName('type')?.text });
    }
    return out;
  }

  private assignment(node: Node): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const type = node.childForFieldName('type')?.text;
    if (!left || !right) {
      // annotated declaration without value: `client: RedisCluster` still tells the type
      if (left?.type === 'identifier' && type) this.bindType(left, type);
      return;
    }
    if (left.type === 'subscript') {
      this.stores.add(left.key);
      this.dunder(left, '__setitem__', left.childForFieldName('value'), [left.childForFieldName('subscript'), right]);
      this.elementBinding(left.childForFieldName('value'), right, node);
    } else if (left.type === 'identifier') {
      this.facts.bindings.push({ name: left.text, scope: this.scope, value: this.expr(right), pos: node.endIndex, kind: 'var', type });
    } else if (left.type === 'attribute' && left.childForFieldName('object')?.text === 'self') {
      const name = left.childForFieldName('attribute')?.text ?? '';
      this.facts.bindings.push({ name, scope: this.scope, value: this.expr(right), pos: node.endIndex, kind: 'attr', className: this.currentClass(), type });
    } else if ((left.type === 'pattern_list' || left.type === 'tuple_pattern') && (right.type === 'expression_list' || right.type === 'tuple')) {
      const names = left.namedChildren;
      const values = right.namedChildren;
      names.forEach((n, i) => {
        if (n?.type === 'identifier' && values[i])
          this.facts.bindings.push({ name: n.text, scope: this.scope, value: this.expr(values[i]!), pos: node.endIndex, kind: 'var' });
      });
    }
  }

  /**
   * `d[k] = v` fills a dict: bound as `d[]` (or the field `self.d[]`), so `d[name]` elsewhere in the
   * file can be what was put in (`self._scripts[name] = self.register_script(src)`).
   */
  private elementBinding(container: Node | null, right: Node, node: Node): void {
    // a dict of dicts (`d[a][b] = v`) is read as one dict of its elements
    while (container?.type === 'subscript') container = container.childForFieldName('value');
    if (container?.type === 'identifier') this.facts.bindings.push({ name: `${container.text}[]`, scope: this.scope, value: this.expr(right), pos: node.endIndex, kind: 'var' });
    else if (container?.type === 'attribute' && container.childForFieldName('object')?.text === 'self')
      this.facts.bindings.push({ name: `${container.childForFieldName('attribute')?.text ?? ''}[]`, scope: this.scope, value: this.expr(right), pos: node.endIndex, kind: 'attr', className: this.currentClass() });
  }

  private bindType(left: Node, type: string): void {
    this.facts.bindings.push({ name: left.text, scope: this.scope, value: this.other(left), pos: left.endIndex, kind: 'var', type });
  }

  private withStatement(node: Node): void {
    collect(node, 'with_item', (item) => {
      const value = item.childForFieldName('value');
      if (!value) return;
      if (value.type === 'as_pattern') {
        const target = value.childForFieldName('alias')?.namedChildren[0] ?? value.childForFieldName('alias');
        const call = value.namedChildren[0];
        if (call && target?.type === 'identifier') {
          const e = this.expr(call);
          this.facts.bindings.push({ name: target.text, scope: this.scope, value: e, pos: item.endIndex, kind: 'var' });
        }
      }
    });
  }

  private importStatement(node: Node): void {
    if (node.type === 'import_statement') {
      for (const n of node.namedChildren) {
        if (!n) continue;
        if (n.type === 'dotted_name') this.facts.imports.push({ local: n.text.split('.')[0], module: n.text });
        else if (n.type === 'aliased_import')
          this.facts.imports.push({ local: n.childForFieldName('alias')?.text ?? '', module: n.childForFieldName('name')?.text ?? '' });
      }
      return;
    }
    const module = node.childForFieldName('module_name')?.text ?? '';
    const host = this.facts.scopes.get(this.scope)?.kind === 'class' ? this.currentClass() : undefined;
    const into = host ? { intoClass: host } : {};
    for (const n of node.childrenForFieldName('name')) {
      if (!n) continue;
      if (n.type === 'dotted_name') this.facts.imports.push({ local: n.text, module, member: n.text, ...into });
      else if (n.type === 'aliased_import')
        this.facts.imports.push({ local: n.childForFieldName('alias')?.text ?? '', module, member: n.childForFieldName('name')?.text, ...into });
    }
  }



  protected convert(node: Node): Expr {
    const base = { span: span(node), text: node.text };
    switch (node.type) {
      case 'string':
        return this.string(node);
      case 'concatenated_string':
        return { span: base.span, text: base.text, k: 'concat', parts: node.namedChildren.map((c) => this.expr(c!)) };
      case 'identifier':
        return { span: base.span, text: base.text, k: 'name', name: base.text };
      case 'integer':
        return { span: base.span, text: base.text, k: 'num', value: Number(node.text.replace(/_/g, '')) };
      case 'parenthesized_expression': {
        const inner = node.namedChildren[0] ? this.expr(node.namedChildren[0]) : this.other(node);
        // `(a or b)` keeps its parentheses: text added around it in a concatenation (a tag's brace) goes outside them
        return inner.k === 'alt' ? { ...inner, span: span(node), text: node.text } : inner;
      }
      case 'await':
        return node.namedChildren[0] ? this.expr(node.namedChildren[0]) : this.other(node);
      case 'attribute':
        return { span: base.span, text: base.text, k: 'attr', object: this.expr(node.childForFieldName('object')!), name: node.childForFieldName('attribute')?.text ?? '' };
      case 'subscript':
        return { span: base.span, text: base.text, k: 'index', object: this.expr(node.childForFieldName('value')!), index: this.expr(node.childForFieldName('subscript')!) };
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
        return { span: base.span, text: base.text, k: 'list', items: node.namedChildren.map((c) => this.expr(c!)) };
      case 'dictionary':
        return {
          span: base.span,
          text: base.text,
          k: 'dict',
          entries: node.namedChildren
            .filter((c) => c?.type === 'pair')
            .map((p) => [this.expr(p!.childForFieldName('key')!), this.expr(p!.childForFieldName('value')!)] as [Expr, Expr]),
        };
      case 'list_splat':
      case 'dictionary_splat':
        return { span: base.span, text: base.text, k: 'spread', value: this.expr(node.namedChildren[0]!) };
      case 'binary_operator': {
        const op = node.childForFieldName('operator')?.text;
        const left = this.expr(node.childForFieldName('left')!);
        const right = this.expr(node.childForFieldName('right')!);
        if (op === '+') return { span: base.span, text: base.text, k: 'concat', parts: [...(left.k === 'concat' ? left.parts : [left]), right] };
        // `%` is formatting when the left side turns out to be a string (checked when evaluated)
        if (op === '%' && left.k !== 'num')
          return { span: base.span, text: base.text, k: 'format', style: 'printf', format: left, args: right.k === 'list' ? right.items : [right], kwargs: right.k === 'dict' ? dictKwargs(right) : NO_KWARGS };
        return { span: base.span, text: base.text, k: 'other' };
      }
      case 'conditional_expression': {
        // `a if cond else b`: the first and last children are the values
        const [a, , b] = node.namedChildren;
        return a && b ? { span: base.span, text: base.text, k: 'alt', options: [this.expr(a), this.expr(b)] } : this.other(node);
      }
      case 'boolean_operator': {
        if (node.childForFieldName('operator')?.text !== 'or') return this.other(node);
        return { span: base.span, text: base.text, k: 'alt', options: [this.expr(node.childForFieldName('left')!), this.expr(node.childForFieldName('right')!)] };
      }
      case 'call':
        return this.call(node);
      case 'lambda': {
        const params = this.params(node.childForFieldName('parameters'));
        let body: Expr | undefined;
        const scope = this.withScope(node, 'function', params, {}, () => {
          const b = node.childForFieldName('body');
          if (b) body = this.expr(b);
        });
        // what calling it returns (a field holding `lambda _: self.storage` is a client getter)
        if (body) this.facts.functions.push({ name: '<lambda>', scope, params, returns: [body] });
        return { span: base.span, text: base.text, k: 'func', scope };
      }
      default:
        return { span: base.span, text: base.text, k: 'other' };
    }
  }

  private call(node: Node): Expr {
    const base = { span: span(node), text: node.text };
    const fn = node.childForFieldName('function')!;
    const argsNode = node.childForFieldName('arguments');
    const pushed: Expr[] = [];
    let kwargs: Record<string, Expr> = NO_KWARGS;
    for (const a of argsNode?.namedChildren ?? []) {
      if (!a || a.type === 'comment') continue;
      if (kwargs === NO_KWARGS && a.type === 'keyword_argument') kwargs = {};
      if (a.type === 'keyword_argument') kwargs[a.childForFieldName('name')?.text ?? ''] = this.expr(a.childForFieldName('value')!);
      else pushed.push(this.expr(a));
    }
    const args = fit(pushed);
    const callee = this.expr(fn);
    // str methods that build keys
    if (callee.k === 'attr' && (isStringish(callee.object) || callee.object.k === 'name' || callee.object.k === 'attr')) {
      // KEY.format(...) on a constant: evaluation decides whether the object is a string
      if (callee.name === 'format') return { span: base.span, text: base.text, k: 'format', style: 'brace', format: callee.object, args, kwargs };
      if (callee.name === 'join' && args.length === 1 && isStringish(callee.object)) return { span: base.span, text: base.text, k: 'join', sep: callee.object, items: args[0] };
    }
    return { span: base.span, text: base.text, k: 'call', callee, args, kwargs, isNew: false, id: this.callId(node) };
  }

  private string(node: Node): Expr {
    const base = { span: span(node), text: node.text };
    const start = node.namedChildren.find((c) => c?.type === 'string_start')?.text ?? node.text.slice(0, 1);
    const prefix = start.replace(/['"]/g, '').toLowerCase();
    const raw = prefix.includes('r');
    const isF = prefix.includes('f');
    const parts: (string | Expr)[] = [];
    for (const c of node.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_content') {
        let t = c.text;
        if (isF) t = t.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
        parts.push(raw ? t : decodeEscapes(t));
      } else if (c.type === 'interpolation') {
        const inner = c.childForFieldName('expression') ?? c.namedChildren[0];
        if (inner) parts.push(this.expr(inner));
      } else if (c.type === 'escape_sequence') parts.push(raw ? c.text : decodeEscapes(c.text));
    }
    if (parts.every((p) => typeof p === 'string')) return { span: base.span, text: base.text, k: 'str', value: (parts as string[]).join('') };
    return { span: base.span, text: base.text, k: 'interp', parts: fit(parts) };
  }
}

function isStringish(e: Expr): boolean {
  return e.k === 'str' || e.k === 'interp' || e.k === 'concat';
}

function dictKwargs(d: Extract<Expr, { k: 'dict' }>): Record<string, Expr> {
  const out: Record<string, Expr> = {};
  for (const [k, v] of d.entries) if (k.k === 'str') out[k.value] = v;
  return out;
}

export function collect(node: Node | null | undefined, type: string | string[], fn: (n: Node) => void, stopAt: string[] = ['function_definition', 'lambda', 'class_definition']): void {
  if (!node) return;
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (typeof type === 'string' ? c.type === type : type.includes(c.type)) fn(c);
    if (!stopAt.includes(c.type)) collect(c, type, fn, stopAt);
  }
}
