import type { SyntaxNode as Node } from './tree';
import { decodeEscapes, Extractor, fit, NO_KWARGS, span } from './base';
import type { Annotation, Expr, Param } from './ir';

const CLASS_TYPES = new Set(['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration']);

/** Java: Jedis, Lettuce and Redisson code. */
export class JavaExtractor extends Extractor {
  protected visitNode(node: Node): void {
    if (CLASS_TYPES.has(node.type)) {
      const name = node.childForFieldName('name')?.text;
      const base = /\bextends\s+([\w.]+)/.exec(node.childForFieldName('superclass')?.text ?? '')?.[1];
      const annotations = this.annotations(node);
      this.withScope(node, 'class', [], { name, ...(base ? { bases: [base] } : {}), ...(annotations ? { annotations } : {}) }, () => this.visitChildren(node));
      return;
    }
    switch (node.type) {
      case 'method_declaration':
      case 'constructor_declaration':
        this.method(node);
        return;
      case 'import_declaration': {
        const name = node.namedChildren.find((c) => c?.type === 'scoped_identifier' || c?.type === 'identifier')?.text ?? '';
        const parts = name.split('.');
        this.facts.imports.push({ local: parts[parts.length - 1], module: name, member: parts[parts.length - 1] });
        return;
      }
      case 'field_declaration':
      case 'local_variable_declaration':
      case 'constant_declaration': {
        const type = node.childForFieldName('type')?.text;
        for (const d of node.childrenForFieldName('declarator')) {
          if (!d) continue;
          const name = d.childForFieldName('name')?.text ?? '';
          const value = d.childForFieldName('value');
          const v = value ? this.expr(value) : this.other(d);
          this.facts.bindings.push({ name, scope: this.scope, value: v, pos: node.endIndex, kind: 'var', type });
        }
        return this.visitChildren(node);
      }
      case 'resource': {
        // try (Jedis j = pool.getResource()) { … }
        const name = node.childForFieldName('name')?.text;
        const value = node.childForFieldName('value');
        if (name && value) this.facts.bindings.push({ name, scope: this.scope, value: this.expr(value), pos: node.endIndex, kind: 'var', type: node.childForFieldName('type')?.text });
        return this.visitChildren(node);
      }
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left && right) {
          if (left.type === 'identifier') this.facts.bindings.push({ name: left.text, scope: this.scope, value: this.expr(right), pos: node.endIndex, kind: 'var' });
          else if (left.type === 'field_access' && left.childForFieldName('object')?.type === 'this')
            this.facts.bindings.push({ name: left.childForFieldName('field')?.text ?? '', scope: this.scope, value: this.expr(right), pos: node.endIndex, kind: 'attr', className: this.currentClass() });
        }
        return this.visitChildren(node);
      }
      case 'method_invocation':
      case 'object_creation_expression':
        this.expr(node);
        return this.visitChildren(node);
      case 'lambda_expression':
        this.expr(node);
        return;
      default:
        return this.visitChildren(node);
    }
  }

  private params(node: Node | null): Param[] {
    const out: Param[] = [];
    for (const p of node?.namedChildren ?? []) {
      if (!p) continue;
      if (p.type === 'formal_parameter' || p.type === 'spread_parameter')
        out.push({ name: p.childForFieldName('name')?.text ?? p.namedChildren[p.namedChildren.length - 1]?.text ?? '', type: p.childForFieldName('type')?.text ?? p.namedChildren[0]?.text });
      else if (p.type === 'identifier') out.push({ name: p.text });
    }
    return out;
  }

  private method(node: Node): void {
    const name = node.childForFieldName('name')?.text ?? '';
    const params = this.params(node.childForFieldName('parameters'));
    const className = this.currentClass();
    const body = node.childForFieldName('body');
    const scope = this.onceForFunction(node, () =>
      this.withScope(node, 'function', params, { name, className }, () => {
        if (body) this.visit(body);
      }),
    );
    const returns: Expr[] = [];
    for (const r of body?.descendantsOfType('return_statement') ?? []) {
      const v = r?.namedChildren[0];
      if (v) returns.push(this.exprIn(v, scope));
    }
    const annotations = this.annotations(node);
    this.facts.functions.push({ name, scope, className, params, returns: fit(returns), ...(annotations ? { annotations } : {}) });
  }

  /** The annotations among a declaration's modifiers, other than the compiler's own (`@Override`); undefined when none. */
  private annotations(node: Node): Annotation[] | undefined {
    const out: Annotation[] = [];
    const modifiers = node.namedChildren.find((c) => c?.type === 'modifiers');
    for (const a of modifiers?.namedChildren ?? []) {
      if (!a || (a.type !== 'annotation' && a.type !== 'marker_annotation')) continue;
      const name = (a.childForFieldName('name')?.text ?? '').replace(/^.*\./, '');
      if (!name || name === 'Override' || name === 'SuppressWarnings') continue;
      const args: Record<string, Expr> = {};
      for (const arg of a.childForFieldName('arguments')?.namedChildren ?? []) {
        if (!arg || arg.type === 'comment') continue;
        if (arg.type === 'element_value_pair') {
          const value = arg.childForFieldName('value');
          if (value) args[arg.childForFieldName('key')?.text ?? ''] = this.annotationValue(value);
        } else args.value = this.annotationValue(arg);
      }
      out.push({ name, args, span: span(a) });
    }
    return out.length ? out : undefined;
  }

  private annotationValue(node: Node): Expr {
    if (node.type !== 'element_value_array_initializer') return this.expr(node);
    return { span: span(node), text: node.text, k: 'list', items: node.namedChildren.filter((c) => c && c.type !== 'comment').map((c) => this.annotationValue(c!)) };
  }



  protected convert(node: Node): Expr {
    const base = { span: span(node), text: node.text };
    switch (node.type) {
      case 'string_literal':
        return { span: base.span, text: base.text, k: 'str', value: node.text.startsWith('"""') ? node.text.slice(3, -3).replace(/^\s*\n/, '') : decodeEscapes(node.text.slice(1, -1)) };
      case 'text_block':
        return { span: base.span, text: base.text, k: 'str', value: node.text.slice(3, -3).replace(/^\s*\n/, '') };
      case 'character_literal':
        return { span: base.span, text: base.text, k: 'str', value: decodeEscapes(node.text.slice(1, -1)) };
      case 'decimal_integer_literal':
        return { span: base.span, text: base.text, k: 'num', value: Number(node.text.replace(/[_lL]/g, '')) };
      case 'identifier':
        return { span: base.span, text: base.text, k: 'name', name: base.text };
      case 'this':
        return { span: base.span, text: base.text, k: 'name', name: 'this' };
      case 'parenthesized_expression':
      case 'cast_expression':
        return node.namedChildren[node.namedChildren.length - 1] ? this.expr(node.namedChildren[node.namedChildren.length - 1]!) : this.other(node);
      case 'field_access':
        return { span: base.span, text: base.text, k: 'attr', object: this.expr(node.childForFieldName('object')!), name: node.childForFieldName('field')?.text ?? '' };
      case 'array_access':
        return { span: base.span, text: base.text, k: 'index', object: this.expr(node.childForFieldName('array')!), index: this.expr(node.childForFieldName('index')!) };
      case 'array_creation_expression': {
        const init = node.childForFieldName('value');
        return init ? this.expr(init) : this.other(node);
      }
      case 'array_initializer':
        return { span: base.span, text: base.text, k: 'list', items: node.namedChildren.filter((c) => c && c.type !== 'comment').map((c) => this.expr(c!)) };
      case 'ternary_expression':
        return { span: base.span, text: base.text, k: 'alt', options: [this.expr(node.childForFieldName('consequence')!), this.expr(node.childForFieldName('alternative')!)] };
      case 'binary_expression': {
        if (node.childForFieldName('operator')?.text !== '+') return { span: base.span, text: base.text, k: 'other' };
        const left = this.expr(node.childForFieldName('left')!);
        const right = this.expr(node.childForFieldName('right')!);
        return { span: base.span, text: base.text, k: 'concat', parts: [...(left.k === 'concat' ? left.parts : [left]), right] };
      }
      case 'lambda_expression': {
        const call = node.parent?.type === 'argument_list' ? node.parent.parent : null;
        const paramsNode = node.childForFieldName('parameters');
        const params = paramsNode?.type === 'identifier' ? [{ name: paramsNode.text }] : this.params(paramsNode);
        const scope = this.onceForFunction(node, () =>
          this.withScope(node, 'function', params, { argOf: call?.type === 'method_invocation' ? this.callId(call) : undefined }, () => {
            const b = node.childForFieldName('body');
            if (b) this.visit(b);
          }),
        );
        return { span: base.span, text: base.text, k: 'func', scope };
      }
      case 'method_invocation':
      case 'object_creation_expression':
        return this.call(node);
      default:
        return { span: base.span, text: base.text, k: 'other' };
    }
  }

  private call(node: Node): Expr {
    const base = { span: span(node), text: node.text };
    const isNew = node.type === 'object_creation_expression';
    const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a && a.type !== 'comment').map((a) => this.expr(a!));
    const id = this.callId(node);
    let callee: Expr;
    if (isNew) {
      const t = node.childForFieldName('type')!;
      const name = t.text.replace(/<.*>$/, '');
      callee = { k: 'name', name, span: span(t), text: name };
    } else {
      const nameNode = node.childForFieldName('name')!;
      const obj = node.childForFieldName('object');
      callee = obj ? { k: 'attr', object: this.expr(obj), name: nameNode.text, span: span(node), text: `${obj.text}.${nameNode.text}` } : this.expr(nameNode);
    }
    const fname = callee.k === 'attr' ? `${callee.object.text}.${callee.name}` : callee.text;
    if (/^String\.format$/.test(fname) && args[0]) return { span: base.span, text: base.text, k: 'format', style: 'printf', format: args[0], args: args.slice(1), kwargs: NO_KWARGS };
    if (callee.k === 'attr' && callee.name === 'formatted' && (callee.object.k === 'str' || callee.object.k === 'concat'))
      return { span: base.span, text: base.text, k: 'format', style: 'printf', format: callee.object, args, kwargs: NO_KWARGS };
    if (/^String\.join$/.test(fname) && args.length >= 2)
      return { span: base.span, text: base.text, k: 'join', sep: args[0], items: args.length === 2 ? args[1] : { k: 'list', items: args.slice(1), span: base.span, text: base.text } };
    if (/^(Arrays\.asList|List\.of|Set\.of|Collections\.singletonList)$/.test(fname)) return { span: base.span, text: base.text, k: 'list', items: args };
    if (callee.k === 'attr' && callee.name === 'concat' && (callee.object.k === 'str' || callee.object.k === 'concat')) return { span: base.span, text: base.text, k: 'concat', parts: [callee.object, ...args] };
    return { span: base.span, text: base.text, k: 'call', callee, args, kwargs: NO_KWARGS, isNew, id };
  }
}
