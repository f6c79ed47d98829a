import type { SyntaxNode as Node } from './tree';
import { decodeEscapes, Extractor, fit, NO_KWARGS, span } from './base';
import type { Expr, Param } from './ir';

/** Go: go-redis v8/v9 code. */
export class GoExtractor extends Extractor {
  protected visitNode(node: Node): void {
    switch (node.type) {
      case 'function_declaration':
      case 'method_declaration':
        this.func(node);
        return;
      case 'func_literal':
        this.expr(node);
        return;
      case 'import_spec': {
        const path = node.childForFieldName('path');
        if (!path) return;
        const module = path.text.slice(1, -1);
        const alias = node.childForFieldName('name')?.text;
        const last = module.split('/').filter((p) => !/^v\d+$/.test(p)).pop() ?? module;
        this.facts.imports.push({ local: alias ?? last.replace(/^go-/, ''), module });
        return;
      }
      case 'const_spec':
      case 'var_spec': {
        const names = node.childrenForFieldName('name');
        const type = node.childForFieldName('type')?.text;
        const values = node.childForFieldName('value')?.namedChildren ?? [];
        names.forEach((n, i) => {
          if (!n) return;
          const v = values[i] ? this.expr(values[i]!) : this.other(n);
          this.facts.bindings.push({ name: n.text, scope: this.scope, value: v, pos: node.endIndex, kind: 'var', type });
        });
        return this.visitChildren(node);
      }
      case 'short_var_declaration':
      case 'assignment_statement': {
        const left = node.childForFieldName('left')?.namedChildren ?? [];
        const right = node.childForFieldName('right')?.namedChildren ?? [];
        left.forEach((n, i) => {
          const r = right[i] ?? (right.length === 1 && i === 0 ? right[0] : undefined);
          if (n?.type === 'identifier' && r) this.facts.bindings.push({ name: n.text, scope: this.scope, value: this.expr(r), pos: node.endIndex, kind: 'var' });
        });
        return this.visitChildren(node);
      }
      case 'type_spec': {
        const name = node.childForFieldName('name')?.text;
        const t = node.childForFieldName('type');
        if (name && t?.type === 'struct_type') {
          // struct fields typed as clients: s.rdb on a *Store receiver
          for (const f of t.descendantsOfType('field_declaration')) {
            if (!f) continue;
            const type = f.childForFieldName('type')?.text;
            for (const n of f.childrenForFieldName('name'))
              if (n) this.facts.bindings.push({ name: n.text, scope: this.scope, value: this.other(f), pos: f.endIndex, kind: 'attr', className: name, type });
          }
        }
        return;
      }
      case 'call_expression':
        this.expr(node);
        return this.visitChildren(node);
      default:
        return this.visitChildren(node);
    }
  }

  private params(node: Node | null): Param[] {
    const out: Param[] = [];
    for (const p of node?.namedChildren ?? []) {
      if (!p || (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration')) continue;
      const type = p.childForFieldName('type')?.text;
      for (const n of p.childrenForFieldName('name')) if (n) out.push({ name: n.text, type });
    }
    return out;
  }

  private func(node: Node, argOf?: number): string {
    return this.onceForFunction(node, () => {
      const name = node.childForFieldName('name')?.text;
      const receiver = this.params(node.childForFieldName('receiver'));
      const params = this.params(node.childForFieldName('parameters'));
      // (a receiver may be unnamed: `func (clusterKeys) Entries(…)`)
      const receiverType = receiver[0]?.type ?? node.childForFieldName('receiver')?.namedChildren.find((c) => c?.type === 'parameter_declaration')?.childForFieldName('type')?.text;
      const className = receiverType?.replace(/^\*/, '');
      const body = node.childForFieldName('body');
      // the receiver is in scope but not a call argument
      const scope = this.withScope(node, 'function', [...receiver, ...params], { name, className, argOf }, () => {
        if (body) this.visit(body);
      });
      if (name) {
        const returns: Expr[] = [];
        for (const r of body?.descendantsOfType('return_statement') ?? []) {
          if (!r || insideFuncLiteral(r, node)) continue;
          const v = r.namedChildren[0]?.namedChildren[0] ?? r.namedChildren[0];
          if (v) returns.push(this.exprIn(v, scope));
        }
        this.facts.functions.push({ name, scope, className, params, returns: fit(returns) });
      }
      return scope;
    });
  }



  protected convert(node: Node): Expr {
    const base = { span: span(node), text: node.text };
    switch (node.type) {
      case 'interpreted_string_literal':
        return { span: base.span, text: base.text, k: 'str', value: decodeEscapes(node.text.slice(1, -1)) };
      case 'raw_string_literal':
        return { span: base.span, text: base.text, k: 'str', value: node.text.slice(1, -1) };
      case 'int_literal':
        return { span: base.span, text: base.text, k: 'num', value: Number(node.text.replace(/_/g, '')) };
      case 'identifier':
      case 'field_identifier':
        return { span: base.span, text: base.text, k: 'name', name: base.text };
      case 'parenthesized_expression':
        return node.namedChildren[0] ? this.expr(node.namedChildren[0]) : this.other(node);
      case 'unary_expression':
        // &redis.ZStore{...}
        return node.childForFieldName('operand') ? this.expr(node.childForFieldName('operand')!) : this.other(node);
      case 'selector_expression':
        return { span: base.span, text: base.text, k: 'attr', object: this.expr(node.childForFieldName('operand')!), name: node.childForFieldName('field')?.text ?? '' };
      case 'index_expression':
        return { span: base.span, text: base.text, k: 'index', object: this.expr(node.childForFieldName('operand')!), index: this.expr(node.childForFieldName('index')!) };
      case 'variadic_argument':
        return { span: base.span, text: base.text, k: 'spread', value: this.expr(node.namedChildren[0]!) };
      case 'binary_expression': {
        if (node.childForFieldName('operator')?.text !== '+') return { span: base.span, text: base.text, k: 'other' };
        const left = this.expr(node.childForFieldName('left')!);
        const right = this.expr(node.childForFieldName('right')!);
        return { span: base.span, text: base.text, k: 'concat', parts: [...(left.k === 'concat' ? left.parts : [left]), right] };
      }
      case 'composite_literal':
        return this.composite(node);
      case 'func_literal': {
        const call = node.parent?.type === 'argument_list' ? node.parent.parent : null;
        const scope = this.func(node, call?.type === 'call_expression' ? this.callId(call) : undefined);
        return { span: base.span, text: base.text, k: 'func', scope };
      }
      case 'call_expression':
        return this.call(node);
      default:
        return { span: base.span, text: base.text, k: 'other' };
    }
  }

  private composite(node: Node): Expr {
    const base = { span: span(node), text: node.text };
    const body = node.childForFieldName('body');
    const elems = (body?.namedChildren ?? []).filter((c) => c && c.type !== 'comment') as Node[];
    const unwrap = (n: Node): Node => (n.type === 'literal_element' && n.namedChildren[0] ? n.namedChildren[0] : n);
    if (elems.some((e) => e.type === 'keyed_element')) {
      const t = node.childForFieldName('type');
      const struct = t?.type === 'type_identifier' ? t.text : t?.type === 'qualified_type' ? t.childForFieldName('name')?.text : undefined;
      const entries: [Expr, Expr][] = [];
      for (const e of elems) {
        if (e.type !== 'keyed_element') continue;
        const [k, v] = e.namedChildren;
        if (!k || !v) continue;
        const kn = unwrap(k);
        const key: Expr = kn.type === 'field_identifier' || kn.type === 'identifier' ? { k: 'str', value: kn.text, span: span(kn), text: kn.text } : this.expr(kn);
        const value = this.expr(unwrap(v));
        entries.push([key, value]);
        // `&Queue{zset: prefix + "{" + name + "}:zset"}`: what q.zset holds in Queue's methods
        if (struct && key.k === 'str') this.facts.bindings.push({ name: key.value, scope: this.scope, value, pos: e.endIndex, kind: 'attr', className: struct });
      }
      return { span: base.span, text: base.text, k: 'dict', entries };
    }
    return { span: base.span, text: base.text, k: 'list', items: elems.map((e) => this.expr(unwrap(e))) };
  }

  /**
   * What was written into the builder `name` before `at`: the writes of the statements between its
   * declaration and `at`, in order; an if/else that writes gives one value per branch. Undefined when
   * the builder is not declared in this function, or something else may write into it (a loop, a call
   * that takes it).
   */
  private builderWrites(at: Node, name: string): Expr | undefined {
    const base = { span: span(at), text: at.text };
    // the statement of each block from `at` outwards, until the block that declares the builder
    for (let stmt: Node | null = at; stmt?.parent; stmt = stmt.parent) {
      const block = stmt.parent;
      if (block.type === 'function_declaration' || block.type === 'method_declaration' || block.type === 'func_literal') return undefined;
      if (block.type !== 'block' && block.type !== 'statement_list') continue;
      const siblings = block.namedChildren.filter((c): c is Node => !!c);
      const i = siblings.findIndex((c) => c.id === stmt!.id);
      const decl = siblings.slice(0, i).map((c) => c).reverse().find((c) => declaresBuilder(c, name));
      if (!decl) continue;
      const parts: Expr[] = [];
      // the statements after the declaration, down the blocks that lead to `at`
      const walk = (list: Node[]): boolean => {
        for (const s of list) {
          // up to the statement that holds `at` (or comes after it)
          if (s.endIndex >= at.startIndex) return true;
          const part = this.writesOf(s, name);
          if (part === null) return false;
          parts.push(...part);
        }
        return true;
      };
      const path: Node[] = [];
      for (let n: Node | null = at; n && n.id !== block.id; n = n.parent) path.unshift(n);
      if (!walk(siblings.slice(siblings.indexOf(decl) + 1))) return undefined;
      // and the statements before `at` inside the blocks it is nested in below the declaring block
      for (const n of path) if ((n.type === 'block' || n.type === 'statement_list') && !walk(n.namedChildren.filter((c): c is Node => !!c))) return undefined;
      return { span: base.span, text: base.text, k: 'concat', parts: parts.length ? parts : [{ span: base.span, text: '""', k: 'str', value: '' }] };
    }
    return undefined;
  }

  /** The builder writes of one statement: its arguments in order, one alternative per branch of an if; null when it may write otherwise. */
  private writesOf(stmt: Node, name: string): Expr[] | null {
    if (!new RegExp(`\\b${name}\\b`).test(stmt.text)) return [];
    if (stmt.type === 'expression_statement') {
      const call = stmt.namedChildren[0];
      const fn = call?.type === 'call_expression' ? call.childForFieldName('function') : null;
      if (fn?.type === 'selector_expression' && fn.childForFieldName('operand')?.text === name) {
        const method = fn.childForFieldName('field')?.text ?? '';
        if (/^(Grow|Reset)$/.test(method)) return [];
        if (!BUILDER_WRITES.test(method)) return null;
        const arg = call!.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'comment');
        if (!arg) return [];
        // WriteByte('}'): the character
        if (arg.type === 'rune_literal') return [{ span: span(arg), text: arg.text, k: 'str', value: decodeEscapes(arg.text.slice(1, -1)) }];
        return [this.expr(arg)];
      }
      return null;
    }
    if (stmt.type === 'if_statement') {
      const branch = (b: Node): Expr[] | null => {
        const inner = b.type === 'if_statement' ? [b] : b.namedChildren.filter((c): c is Node => !!c);
        const out: Expr[] = [];
        for (const s of inner) {
          const w = this.writesOf(s, name);
          if (w === null) return null;
          out.push(...w);
        }
        return out;
      };
      const consequence = stmt.childForFieldName('consequence');
      const alternative = stmt.childForFieldName('alternative');
      const yes = consequence ? branch(consequence) : [];
      const no = alternative ? branch(alternative) : [];
      if (!yes || !no) return null;
      if (!yes.length && !no.length) return [];
      // a branch that writes nothing would make the value one without its text: not followed
      if (!yes.length || !no.length) return null;
      const option = (parts: Expr[], n: Node): Expr => ({ span: span(n), text: n.text, k: 'concat', parts });
      return [{ span: span(stmt), text: stmt.text, k: 'alt', options: [option(yes, consequence!), option(no, alternative!)] }];
    }
    // a declaration or assignment that only reads other names is no write
    if (/^(short_var_declaration|var_declaration|assignment_statement|const_declaration)$/.test(stmt.type) && !new RegExp(`(^|[^\\w.])${name}\\s*(\\.Write|=)`).test(stmt.text) && !new RegExp(`&${name}\\b`).test(stmt.text)) return [];
    return null;
  }

  private call(node: Node): Expr {
    const base = { span: span(node), text: node.text };
    const fn = node.childForFieldName('function')!;
    const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a && a.type !== 'comment').map((a) => this.expr(a!));
    const id = this.callId(node);
    const callee = this.expr(fn);
    const name = fn.text;
    if (/^fmt\.Sprintf$/.test(name) && args[0]) return { span: base.span, text: base.text, k: 'format', style: 'printf', format: args[0], args: args.slice(1), kwargs: NO_KWARGS };
    // fmt.Sprint(a, ":", b): the operands one after another (Go adds a space only between two that are not strings)
    if (/^fmt\.Sprint$/.test(name) && args.length && args.some((a) => a.k === 'str')) return { span: base.span, text: base.text, k: 'concat', parts: args };
    if (/^strings\.Join$/.test(name) && args.length === 2) return { span: base.span, text: base.text, k: 'join', sep: args[1], items: args[0] };
    // `b.String()` of a strings.Builder / bytes.Buffer written in this function: what was written into it
    const operand = fn.type === 'selector_expression' ? fn.childForFieldName('operand') : null;
    if (operand?.type === 'identifier' && fn.childForFieldName('field')?.text === 'String' && !args.length) {
      const written = this.builderWrites(node, operand.text);
      if (written) return written;
    }
    return { span: base.span, text: base.text, k: 'call', callee, args, kwargs: NO_KWARGS, isNew: false, id };
  }
}

const BUILDER_TYPE = /^(strings\.Builder|bytes\.Buffer)$/;
const BUILDER_WRITES = /^(WriteString|WriteByte|WriteRune|Write)$/;

/** The `var b strings.Builder` / `b := strings.Builder{}` / `b := new(bytes.Buffer)` statement declaring `name`, if `stmt` is one. */
function declaresBuilder(stmt: Node, name: string): boolean {
  const text = stmt.text.replace(/\s+/g, ' ');
  const m = new RegExp(`^(?:var ${name} (\\*?[\\w.]+)|${name} := (?:&|new\\()?([\\w.]+))`).exec(text);
  return !!m && BUILDER_TYPE.test(m[1] ?? m[2] ?? '');
}

function insideFuncLiteral(n: Node, top: Node): boolean {
  for (let p = n.parent; p && p.id !== top.id; p = p.parent) if (p.type === 'func_literal') return true;
  return false;
}
