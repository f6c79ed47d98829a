import type { SyntaxNode as Node } from './tree';
import { decodeEscapes, Extractor, fit, NO_KWARGS, span } from './base';
import type { Expr, Param } from './ir';

const FUNCTION_TYPES = new Set(['function_declaration', 'generator_function_declaration', 'method_definition', 'arrow_function', 'function', 'function_expression', 'generator_function']);
const UNWRAP = new Set(['parenthesized_expression', 'await_expression', 'as_expression', 'non_null_expression', 'satisfies_expression', 'type_assertion']);

/** JavaScript, TypeScript and TSX: ioredis and node-redis code. */
export class JavaScriptExtractor extends Extractor {
  protected visitNode(node: Node): void {
    if (FUNCTION_TYPES.has(node.type)) {
      this.functionLike(node);
      return;
    }
    switch (node.type) {
      case 'class_declaration':
      case 'class':
      case 'abstract_class_declaration': {
        const name = node.childForFieldName('name')?.text;
        const base = /\bextends\s+([\w$.]+)/.exec(node.namedChildren.find((c) => c?.type === 'class_heritage')?.text ?? '')?.[1];
        this.withScope(node, 'class', [], base ? { name, bases: [base] } : { name }, () => this.visitChildren(node));
        return;
      }
      case 'variable_declarator':
        this.declarator(node);
        return this.visitChildren(node);
      case 'assignment_expression':
        this.assignment(node);
        return this.visitChildren(node);
      case 'public_field_definition':
      case 'field_definition':
        this.field(node);
        return this.visitChildren(node);
      case 'import_statement':
        return this.importStatement(node);
      case 'call_expression':
      case 'new_expression':
        this.expr(node);
        return this.visitChildren(node);
      default:
        return this.visitChildren(node);
    }
  }

  /** Declares a function scope; returns the scope id. Function literals are visited where they appear. */
  private functionLike(node: Node, argOf?: number): string {
    return this.onceForFunction(node, () => this.declareFunction(node, argOf));
  }

  private declareFunction(node: Node, argOf?: number): string {
    const name = node.childForFieldName('name')?.text ?? this.assignedName(node);
    const paramsNode = node.childForFieldName('parameters') ?? node.childForFieldName('parameter');
    const params = this.params(paramsNode);
    const inClass = this.facts.scopes.get(this.scope)?.kind === 'class';
    const className = inClass ? this.currentClass() : undefined;
    const body = node.childForFieldName('body');
    const scope = this.withScope(node, 'function', params, { name, className, argOf }, () => {
      if (name === 'constructor') this.parameterProperties(paramsNode);
      if (body) this.visit(body);
    });
    if (name) {
      const returns: Expr[] = [];
      if (body && body.type !== 'statement_block') returns.push(this.exprIn(body, scope));
      else
        collectReturns(body, (r) => {
          const v = r.namedChildren[0];
          if (v) returns.push(this.exprIn(v, scope));
        });
      this.facts.functions.push({ name, scope, className, params, returns: fit(returns) });
    }
    return scope;
  }

  /** `const cartKey = (id) => ...` names the arrow function after its variable. */
  private assignedName(node: Node): string | undefined {
    const p = node.parent;
    if (p?.type === 'variable_declarator' && p.childForFieldName('value')?.id === node.id) return p.childForFieldName('name')?.text;
    if (p?.type === 'pair' && p.childForFieldName('value')?.id === node.id) return p.childForFieldName('key')?.text;
    return undefined;
  }

  private params(node: Node | null): Param[] {
    if (!node) return [];
    if (node.type === 'identifier') return [{ name: node.text }];
    const out: Param[] = [];
    for (const p of node.namedChildren) {
      if (!p) continue;
      if (p.type === 'identifier') out.push({ name: p.text });
      else if (p.type === 'required_parameter' || p.type === 'optional_parameter') {
        const pat = p.childForFieldName('pattern');
        out.push({ name: pat?.text ?? '', type: stripTypeAnnotation(p.childForFieldName('type')?.text) });
      } else if (p.type === 'assignment_pattern') out.push({ name: p.childForFieldName('left')?.text ?? '' });
      else out.push({ name: p.text });
    }
    return out;
  }

  /** TypeScript `constructor(private redis: Redis)` declares `this.redis`. */
  private parameterProperties(node: Node | null): void {
    for (const p of node?.namedChildren ?? []) {
      if (!p || p.type !== 'required_parameter') continue;
      if (!p.namedChildren.some((c) => c?.type === 'accessibility_modifier' || c?.text === 'readonly')) continue;
      const name = p.childForFieldName('pattern')?.text ?? '';
      this.facts.bindings.push({ name, scope: this.scope, value: this.other(p), pos: p.endIndex, kind: 'attr', className: this.currentClass(), type: stripTypeAnnotation(p.childForFieldName('type')?.text) });
    }
  }

  private declarator(node: Node): void {
    const nameNode = node.childForFieldName('name');
    const value = node.childForFieldName('value');
    const type = stripTypeAnnotation(node.childForFieldName('type')?.text);
    if (!nameNode) return;
    if (value?.type === 'call_expression' && value.childForFieldName('function')?.text === 'require') {
      const mod = value.childForFieldName('arguments')?.namedChildren[0];
      if (mod?.type === 'string') {
        this.requireImport(nameNode, stringValue(mod));
        if (nameNode.type !== 'identifier') return;
      }
    }
    if (nameNode.type === 'identifier') {
      const v = value ? this.expr(value) : this.other(nameNode);
      this.facts.bindings.push({ name: nameNode.text, scope: this.scope, value: v, pos: node.endIndex, kind: 'var', type });
    } else if (nameNode.type === 'object_pattern' && value) {
      // const { a, b } = obj: members of an object literal or a module
      const v = this.expr(value);
      for (const c of nameNode.namedChildren) {
        if (c?.type !== 'shorthand_property_identifier_pattern') continue;
        const member: Expr = { k: 'attr', object: v, name: c.text, span: span(c), text: c.text };
        this.facts.bindings.push({ name: c.text, scope: this.scope, value: member, pos: node.endIndex, kind: 'var' });
      }
    }
  }

  private requireImport(nameNode: Node, module: string): void {
    if (nameNode.type === 'identifier') this.facts.imports.push({ local: nameNode.text, module });
    else if (nameNode.type === 'object_pattern')
      for (const c of nameNode.namedChildren) {
        if (c?.type === 'shorthand_property_identifier_pattern') this.facts.imports.push({ local: c.text, module, member: c.text });
        else if (c?.type === 'pair_pattern') this.facts.imports.push({ local: c.childForFieldName('value')?.text ?? '', module, member: c.childForFieldName('key')?.text });
      }
  }

  private assignment(node: Node): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return;
    if (left.type === 'identifier') this.facts.bindings.push({ name: left.text, scope: this.scope, value: this.expr(right), pos: node.endIndex, kind: 'var' });
    else if (left.type === 'member_expression' && left.childForFieldName('object')?.type === 'this')
      this.facts.bindings.push({ name: left.childForFieldName('property')?.text ?? '', scope: this.scope, value: this.expr(right), pos: node.endIndex, kind: 'attr', className: this.currentClass() });
    else if (left.type === 'member_expression' && /^(module\.)?exports$/.test(left.childForFieldName('object')?.text ?? ''))
      this.facts.bindings.push({ name: left.childForFieldName('property')?.text ?? '', scope: 'module', value: this.expr(right), pos: node.endIndex, kind: 'var' });
  }

  private field(node: Node): void {
    const name = (node.childForFieldName('name') ?? node.childForFieldName('property'))?.text;
    const value = node.childForFieldName('value');
    if (!name) return;
    const isStatic = node.children.some((c) => c?.type === 'static');
    const type = stripTypeAnnotation(node.childForFieldName('type')?.text);
    const v = value ? this.expr(value) : this.other(node);
    // instance fields are this.x; static fields are Class.x, found through the class scope
    this.facts.bindings.push({ name, scope: this.scope, value: v, pos: node.endIndex, kind: isStatic ? 'var' : 'attr', className: isStatic ? undefined : this.currentClass(), type });
  }

  private importStatement(node: Node): void {
    const src = node.childForFieldName('source');
    if (!src) return;
    const module = stringValue(src);
    const clause = node.namedChildren.find((c) => c?.type === 'import_clause');
    for (const c of clause?.namedChildren ?? []) {
      if (!c) continue;
      if (c.type === 'identifier') this.facts.imports.push({ local: c.text, module });
      else if (c.type === 'namespace_import') this.facts.imports.push({ local: c.namedChildren[0]?.text ?? '', module });
      else if (c.type === 'named_imports')
        for (const s of c.namedChildren) {
          if (s?.type !== 'import_specifier') continue;
          const name = s.childForFieldName('name')?.text ?? '';
          this.facts.imports.push({ local: s.childForFieldName('alias')?.text ?? name, module, member: name });
        }
    }
    if (!clause) this.facts.imports.push({ local: '', module });
  }



  protected convert(node: Node): Expr {
    if (UNWRAP.has(node.type)) {
      const inner = node.namedChildren[0] ? this.expr(node.namedChildren[0]) : this.other(node);
      // `(a || b)` keeps its parentheses: text added around it in a concatenation (a tag's brace) goes outside them
      return node.type === 'parenthesized_expression' && inner.k === 'alt' ? { ...inner, span: span(node), text: node.text } : inner;
    }
    const base = { span: span(node), text: node.text };
    if (FUNCTION_TYPES.has(node.type)) {
      const parent = node.parent?.parent;
      const argOf = node.parent?.type === 'arguments' && parent && (parent.type === 'call_expression' || parent.type === 'new_expression') ? this.callId(parent) : undefined;
      const scope = this.functionLike(node, argOf);
      return { span: base.span, text: base.text, k: 'func', scope };
    }
    switch (node.type) {
      case 'string':
        return { span: base.span, text: base.text, k: 'str', value: stringValue(node) };
      case 'template_string':
        return this.template(node);
      case 'identifier':
      case 'shorthand_property_identifier':
        return { span: base.span, text: base.text, k: 'name', name: base.text };
      case 'this':
        return { span: base.span, text: base.text, k: 'name', name: 'this' };
      case 'number':
        return { span: base.span, text: base.text, k: 'num', value: Number(node.text) };
      case 'member_expression':
        return { span: base.span, text: base.text, k: 'attr', object: this.expr(node.childForFieldName('object')!), name: node.childForFieldName('property')?.text ?? '' };
      case 'subscript_expression':
        return { span: base.span, text: base.text, k: 'index', object: this.expr(node.childForFieldName('object')!), index: this.expr(node.childForFieldName('index')!) };
      case 'array':
        return { span: base.span, text: base.text, k: 'list', items: node.namedChildren.filter((c) => c && c.type !== 'comment').map((c) => this.expr(c!)) };
      case 'object':
        return {
          span: base.span,
          text: base.text,
          k: 'dict',
          entries: node.namedChildren.flatMap((p): [Expr, Expr][] => {
            if (p?.type === 'pair') {
              const key = p.childForFieldName('key')!;
              const k: Expr = key.type === 'property_identifier' ? { k: 'str', value: key.text, span: span(key), text: key.text } : this.expr(key);
              return [[k, this.expr(p.childForFieldName('value')!)]];
            }
            if (p?.type === 'shorthand_property_identifier') return [[{ k: 'str', value: p.text, span: span(p), text: p.text }, this.expr(p)]];
            return [];
          }),
        };
      case 'spread_element':
        return { span: base.span, text: base.text, k: 'spread', value: this.expr(node.namedChildren[0]!) };
      case 'assignment_expression':
        // `(this.client = new Redis())` as a value is its right side
        return node.childForFieldName('right') ? this.expr(node.childForFieldName('right')!) : this.other(node);
      case 'ternary_expression':
        return { span: base.span, text: base.text, k: 'alt', options: [this.expr(node.childForFieldName('consequence')!), this.expr(node.childForFieldName('alternative')!)] };
      case 'binary_expression': {
        const op = node.childForFieldName('operator')?.text;
        if (op === '||' || op === '??') return { span: base.span, text: base.text, k: 'alt', options: [this.expr(node.childForFieldName('left')!), this.expr(node.childForFieldName('right')!)] };
        if (op !== '+') return { span: base.span, text: base.text, k: 'other' };
        const left = this.expr(node.childForFieldName('left')!);
        const right = this.expr(node.childForFieldName('right')!);
        return { span: base.span, text: base.text, k: 'concat', parts: [...(left.k === 'concat' ? left.parts : [left]), right] };
      }
      case 'call_expression':
      case 'new_expression':
        return this.call(node);
      default:
        return { span: base.span, text: base.text, k: 'other' };
    }
  }

  private call(node: Node): Expr {
    const base = { span: span(node), text: node.text };
    const isNew = node.type === 'new_expression';
    const fn = node.childForFieldName(isNew ? 'constructor' : 'function')!;
    const args: Expr[] = [];
    for (const a of node.childForFieldName('arguments')?.namedChildren ?? []) if (a && a.type !== 'comment') args.push(this.expr(a));
    const callee = this.expr(fn);
    if (callee.k === 'attr') {
      if (callee.name === 'join' && callee.object.k === 'list' && args.length <= 1)
        return { span: base.span, text: base.text, k: 'join', sep: args[0] ?? { k: 'str', value: ',', span: base.span, text: "','" }, items: callee.object };
      if (callee.name === 'concat' && (callee.object.k === 'str' || callee.object.k === 'interp')) return { span: base.span, text: base.text, k: 'concat', parts: [callee.object, ...args] };
    }
    // a tagged template `sql`...`` is a call with a template_string argument
    if (!args.length && node.childForFieldName('arguments')?.type === 'template_string') args.push(this.expr(node.childForFieldName('arguments')!));
    const id = this.callId(node);
    return { span: base.span, text: base.text, k: 'call', callee, args: fit(args), kwargs: NO_KWARGS, isNew, id };
  }

  private template(node: Node): Expr {
    const base = { span: span(node), text: node.text };
    const parts: (string | Expr)[] = [];
    let pos = node.startIndex + 1;
    const end = node.endIndex - 1;
    for (const c of node.namedChildren) {
      if (c?.type !== 'template_substitution') continue;
      parts.push(decodeEscapes(this.source.slice(pos, c.startIndex)));
      const inner = c.namedChildren[0];
      if (inner) parts.push(this.expr(inner));
      pos = c.endIndex;
    }
    parts.push(decodeEscapes(this.source.slice(pos, end)));
    if (parts.every((p) => typeof p === 'string')) return { span: base.span, text: base.text, k: 'str', value: (parts as string[]).join('') };
    return { span: base.span, text: base.text, k: 'interp', parts: fit(parts) };
  }
}

function stringValue(node: Node): string {
  return decodeEscapes(node.text.slice(1, -1));
}

function stripTypeAnnotation(t: string | undefined): string | undefined {
  return t?.replace(/^:\s*/, '').trim();
}

function collectReturns(node: Node | null, fn: (n: Node) => void): void {
  for (const c of node?.namedChildren ?? []) {
    if (!c) continue;
    if (c.type === 'return_statement') fn(c);
    if (!FUNCTION_TYPES.has(c.type) && c.type !== 'class_declaration') collectReturns(c, fn);
  }
}
