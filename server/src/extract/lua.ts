import type { SyntaxNode as Node } from './tree';
import { decodeEscapes, Extractor, fit, NO_KWARGS, span } from './base';
import type { Expr, Param } from './ir';

/** Lua: `.lua` scripts and Lua source embedded in strings; `redis.call` / `redis.pcall` are the calls that matter. */
export class LuaExtractor extends Extractor {
  protected visitNode(node: Node): void {
    switch (node.type) {
      case 'function_declaration':
      case 'function_definition': {
        const name = node.childForFieldName('name')?.text;
        const params: Param[] = (node.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p?.type === 'identifier').map((p) => ({ name: p!.text }));
        const body = node.childForFieldName('body');
        const scope = this.onceForFunction(node, () =>
          this.withScope(node, 'function', params, { name }, () => {
            if (body) this.visit(body);
          }),
        );
        if (name) {
          const returns: Expr[] = [];
          for (const r of body?.descendantsOfType('return_statement') ?? []) {
            const v = r?.namedChildren[0]?.namedChildren[0] ?? r?.namedChildren[0];
            if (v) returns.push(this.expr(v));
          }
          this.facts.functions.push({ name, scope, params, returns: fit(returns) });
        }
        return;
      }
      case 'assignment_statement': {
        const names = node.namedChildren.find((c) => c?.type === 'variable_list')?.namedChildren ?? [];
        const values = node.namedChildren.find((c) => c?.type === 'expression_list')?.namedChildren ?? [];
        // (a `local x = …` declares afresh, even in a branch: only a reassignment may leave the old value)
        const conditional = node.parent?.type !== 'variable_declaration' && insideBranch(node);
        names.forEach((n, i) => {
          if (n?.type !== 'identifier' || !values[i]) return;
          let value = this.expr(values[i]!);
          // `if k == nil_key then k = '' end`: after the branch the variable holds either value
          if (conditional) value = { span: value.span, text: value.text, k: 'alt', options: [value, { k: 'name', name: n.text, span: value.span, text: n.text }] };
          this.facts.bindings.push({ name: n.text, scope: this.scope, value, pos: node.endIndex, kind: 'var' });
        });
        return this.visitChildren(node);
      }
      case 'function_call':
        this.expr(node);
        return this.visitChildren(node);
      default:
        return this.visitChildren(node);
    }
  }


  protected convert(node: Node): Expr {
    const base = { span: span(node), text: node.text };
    switch (node.type) {
      case 'string': {
        const content = node.childForFieldName('content')?.text ?? '';
        const long = node.text.startsWith('[');
        return { span: base.span, text: base.text, k: 'str', value: long ? content : decodeEscapes(content, { luaDecimal: true }) };
      }
      case 'number':
        return { span: base.span, text: base.text, k: 'num', value: Number(node.text) };
      case 'identifier':
        return { span: base.span, text: base.text, k: 'name', name: base.text };
      case 'parenthesized_expression':
        return node.namedChildren[0] ? this.expr(node.namedChildren[0]) : this.other(node);
      case 'dot_index_expression':
        return { span: base.span, text: base.text, k: 'attr', object: this.expr(node.childForFieldName('table')!), name: node.childForFieldName('field')?.text ?? '' };
      case 'bracket_index_expression':
        return { span: base.span, text: base.text, k: 'index', object: this.expr(node.childForFieldName('table')!), index: this.expr(node.childForFieldName('field')!) };
      case 'binary_expression': {
        const op = node.children.find((c) => c && !c.isNamed)?.text;
        if (op !== '..') return { span: base.span, text: base.text, k: 'other' };
        const left = this.expr(node.childForFieldName('left')!);
        const right = this.expr(node.childForFieldName('right')!);
        return { span: base.span, text: base.text, k: 'concat', parts: [...(left.k === 'concat' ? left.parts : [left]), right] };
      }
      case 'table_constructor':
        return { span: base.span, text: base.text, k: 'list', items: node.namedChildren.filter((f) => f?.type === 'field' && !f.childForFieldName('name')).map((f) => this.expr(f!.childForFieldName('value')!)) };
      case 'function_call': {
        const fn = node.childForFieldName('name')!;
        const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a && a.type !== 'comment').map((a) => this.expr(a!));
        const id = this.callId(node);
        if (fn.type === 'method_index_expression') {
          const obj = this.expr(fn.childForFieldName('table')!);
          const method = fn.childForFieldName('method')?.text ?? '';
          if (method === 'format' && obj.k === 'str') return { span: base.span, text: base.text, k: 'format', style: 'printf', format: obj, args, kwargs: NO_KWARGS };
          return { span: base.span, text: base.text, k: 'call', callee: { k: 'attr', object: obj, name: method, span: span(fn), text: fn.text }, args, kwargs: NO_KWARGS, isNew: false, id };
        }
        if (fn.text === 'string.format' && args[0]) return { span: base.span, text: base.text, k: 'format', style: 'printf', format: args[0], args: args.slice(1), kwargs: NO_KWARGS };
        if (fn.text === 'table.concat' && args[0]) return { span: base.span, text: base.text, k: 'join', sep: args[1] ?? { k: 'str', value: '', span: base.span, text: '""' }, items: args[0] };
        return { span: base.span, text: base.text, k: 'call', callee: this.expr(fn), args, kwargs: NO_KWARGS, isNew: false, id };
      }
      default:
        return { span: base.span, text: base.text, k: 'other' };
    }
  }
}

/** Whether a statement runs only on some paths of its function: inside an if, elseif or else branch, or a loop body. */
function insideBranch(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (/^(function_declaration|function_definition|chunk)$/.test(p.type)) return false;
    if (/^(if_statement|elseif_statement|else_statement|while_statement|for_statement|repeat_statement)$/.test(p.type)) return true;
  }
  return false;
}
