import type { SyntaxNode as Node } from './tree';
import { decodeEscapes, Extractor, fit, NO_KWARGS, span } from './base';
import type { Annotation, Expr, Param } from './ir';

/*
 * Kotlin is read as the Java it compiles to, so that both resolve alike: properties are fields
 * (bindings in the class scope with their declared type), the primary constructor is a constructor
 * whose `val` / `var` parameters also declare fields, companion-object members are the class's
 * statics. The grammar (tree-sitter-kotlin in tree-sitter-wasms) names no fields: children are
 * told apart by their node types.
 */

const CLASS_TYPES = new Set(['class_declaration', 'object_declaration']);
const TYPE_TYPES = new Set(['user_type', 'nullable_type', 'function_type', 'parenthesized_type', 'non_nullable_type']);
/** expressions whose value is their operand: `(x)`, `x as T`, `x as? T` */
const UNWRAP = new Set(['parenthesized_expression', 'as_expression']);
/** nodes a `return` inside does not return from the enclosing function */
const RETURN_BARRIERS = new Set(['function_declaration', 'anonymous_function', 'class_declaration', 'object_declaration', 'object_literal']);
const COMMENTS = new Set(['line_comment', 'multiline_comment']);
const LIST_BUILDERS = /^(listOf|mutableListOf|arrayListOf|arrayOf|setOf|mutableSetOf|hashSetOf|linkedSetOf|Arrays\.asList|List\.of|Set\.of|Collections\.singletonList)$/;

/** Kotlin: Spring Data Redis, Lettuce (and its coroutines API), Jedis and Redisson code. */
export class KotlinExtractor extends Extractor {
  protected visitNode(node: Node): void {
    if (CLASS_TYPES.has(node.type)) return this.classDeclaration(node);
    switch (node.type) {
      case 'package_header':
        return;
      case 'import_header':
        return this.importHeader(node);
      case 'primary_constructor':
        return this.primaryConstructor(node);
      case 'secondary_constructor':
        return this.functionDeclaration(node, this.currentClass() ?? '');
      case 'anonymous_initializer':
        // `init { … }` runs in the constructor: its own function scope, inside the class
        this.withScope(node, 'function', [], { className: this.currentClass() }, () => this.visitChildren(node));
        return;
      case 'function_declaration':
        return this.functionDeclaration(node, childOfType(node, 'simple_identifier')?.text ?? '');
      case 'property_declaration':
        // children first: a `by lazy { … }` value is converted inside its lambda's scope
        this.visitChildren(node);
        return this.property(node);
      case 'assignment':
        this.assignment(node);
        return this.visitChildren(node);
      case 'call_expression':
        this.expr(node);
        return this.visitChildren(node);
      case 'lambda_literal':
      case 'anonymous_function':
        this.expr(node);
        return;
      case 'companion_object':
        // its members are the class's statics: no scope of its own
        return this.visitChildren(node);
      default:
        return this.visitChildren(node);
    }
  }

  private classDeclaration(node: Node): void {
    const name = childOfType(node, 'type_identifier')?.text;
    // the superclass is the specifier that calls a constructor (`: Base()`); interfaces are named bare, like Java's implements
    const bases = node.namedChildren.flatMap((d) => {
      const ctor = d.type === 'delegation_specifier' ? childOfType(d, 'constructor_invocation') : null;
      const type = ctor && childOfType(ctor, 'user_type');
      return type ? [withoutTypeArguments(type.text)] : [];
    });
    const annotations = this.annotations(node);
    this.withScope(node, 'class', [], { name, ...(bases.length ? { bases } : {}), ...(annotations ? { annotations } : {}) }, () => this.visitChildren(node));
  }

  /** A declaration's annotations (`@Cacheable(cacheNames = ["books"], key = "#isbn")`); undefined when none. */
  private annotations(node: Node): Annotation[] | undefined {
    const out: Annotation[] = [];
    for (const a of childOfType(node, 'modifiers')?.namedChildren ?? []) {
      if (a.type !== 'annotation') continue;
      const ctor = childOfType(a, 'constructor_invocation');
      const type = childOfType(ctor ?? a, 'user_type');
      const name = type?.text.replace(/^.*\./, '');
      if (!name) continue;
      const args: Record<string, Expr> = {};
      for (const arg of childOfType(ctor, 'value_arguments')?.namedChildren ?? []) {
        if (arg.type !== 'value_argument') continue;
        const [first, value] = operands(arg);
        if (first) args[value ? first.text : 'value'] = this.annotationValue(value ?? first);
      }
      out.push({ name, args, span: span(a) });
    }
    return out.length ? out : undefined;
  }

  private annotationValue(node: Node): Expr {
    if (node.type !== 'collection_literal') return this.expr(node);
    return { span: span(node), text: node.text, k: 'list', items: node.namedChildren.filter((c) => c.type !== 'comment').map((c) => this.annotationValue(c)) };
  }

  private importHeader(node: Node): void {
    const name = childOfType(node, 'identifier')?.text ?? '';
    if (childOfType(node, 'wildcard_import')) {
      this.facts.imports.push({ local: '', module: name });
      return;
    }
    const member = name.slice(name.lastIndexOf('.') + 1);
    const alias = childOfType(childOfType(node, 'import_alias'), 'type_identifier')?.text;
    this.facts.imports.push({ local: alias ?? member, module: name, member });
  }

  /**
   * `class CartService(private val redis: StringRedisTemplate, prefix: String)`: a constructor named
   * like the class. Every parameter is bound in the class scope, where property initialisers and
   * `init` blocks see it; a `val` / `var` parameter is also a field the constructor sets from it
   * (Java's `this.redis = redis`), so methods resolve it through its type or through the callers.
   */
  private primaryConstructor(node: Node): void {
    const className = this.currentClass();
    const classScope = this.scope;
    const params: Param[] = [];
    const properties: { name: Node; param: Node }[] = [];
    for (const p of node.namedChildren) {
      if (p.type !== 'class_parameter') continue;
      const name = childOfType(p, 'simple_identifier');
      if (!name) continue;
      const param = paramOf(p, name);
      params.push(param);
      this.facts.bindings.push({ name: param.name, scope: classScope, value: this.other(p), pos: p.endIndex, kind: 'var', type: param.type });
      if (childOfType(p, 'binding_pattern_kind')) properties.push({ name, param: p });
    }
    const scope = this.withScope(node, 'function', params, { name: className, className }, () => {
      for (const { name, param } of properties)
        this.facts.bindings.push({ name: name.text, scope: this.scope, value: this.expr(name), pos: param.endIndex, kind: 'attr', className });
      this.visitChildren(node);
    });
    if (className) this.facts.functions.push({ name: className, scope, className, params, returns: [] });
  }

  /** `fun name(…) { … }`, `fun name(…) = expr` and secondary constructors (named like their class). */
  private functionDeclaration(node: Node, name: string): void {
    const params = this.params(childOfType(node, 'function_value_parameters'));
    const className = this.currentClass();
    const body = childOfType(node, 'function_body') ?? childOfType(node, 'statements');
    const scope = this.onceForFunction(node, () =>
      this.withScope(node, 'function', params, { name, className }, () => this.visitChildren(node)),
    );
    const returns: Expr[] = [];
    const bodyExpr = expressionBody(body);
    if (bodyExpr) returns.push(this.exprIn(bodyExpr, scope));
    else
      collectReturns(body, (value) => {
        returns.push(this.exprIn(value, scope));
      });
    const annotations = this.annotations(node);
    this.facts.functions.push({ name, scope, className, params, returns: fit(returns), ...(annotations ? { annotations } : {}) });
  }

  private params(node: Node | null): Param[] {
    const out: Param[] = [];
    for (const p of node?.namedChildren ?? []) {
      // a lambda's destructured `(key, value) ->`
      if (p.type === 'multi_variable_declaration') out.push(...this.params(p));
      const name = p.type === 'parameter' || p.type === 'variable_declaration' ? childOfType(p, 'simple_identifier') : null;
      if (name) out.push(paramOf(p, name));
    }
    return out;
  }

  /** `val x: T = v`, `lateinit var x: T`, `val x by lazy { v }`, `val x get() = v`, `val (a, b) = pair`. */
  private property(node: Node): void {
    const single = childOfType(node, 'variable_declaration');
    const value = valueAfterEquals(node) ?? lazyValue(childOfType(node, 'property_delegate')) ?? expressionBody(childOfType(childOfType(node, 'getter'), 'function_body'));
    if (single) {
      const name = childOfType(single, 'simple_identifier');
      if (!name) return;
      const type = typeAfter(single, name);
      this.facts.bindings.push({ name: name.text, scope: this.scope, value: value ? this.expr(value) : this.other(single), pos: node.endIndex, kind: 'var', type });
      return;
    }
    for (const d of childOfType(node, 'multi_variable_declaration')?.namedChildren ?? []) {
      const name = d.type === 'variable_declaration' ? childOfType(d, 'simple_identifier') : null;
      if (name) this.facts.bindings.push({ name: name.text, scope: this.scope, value: this.other(d), pos: node.endIndex, kind: 'var' });
    }
  }

  /** `x = v` binds x; `this.x = v` sets the field x of the enclosing class. Compound assignments (`+=`) bind nothing. */
  private assignment(node: Node): void {
    const target = childOfType(node, 'directly_assignable_expression');
    const value = valueAfterEquals(node);
    if (!target || !value) return;
    const parts = operands(target);
    const [first, suffix] = parts;
    if (parts.length === 1 && first.type === 'simple_identifier')
      this.facts.bindings.push({ name: first.text, scope: this.scope, value: this.expr(value), pos: node.endIndex, kind: 'var' });
    else if (parts.length === 2 && first.type === 'this_expression' && suffix.type === 'navigation_suffix')
      this.facts.bindings.push({ name: childOfType(suffix, 'simple_identifier')?.text ?? '', scope: this.scope, value: this.expr(value), pos: node.endIndex, kind: 'attr', className: this.currentClass() });
  }

  protected convert(node: Node): Expr {
    if (UNWRAP.has(node.type)) {
      const inner = operands(node)[0];
      return inner ? this.expr(inner) : this.other(node);
    }
    const base = { span: span(node), text: node.text };
    switch (node.type) {
      case 'string_literal':
        return this.stringLiteral(node);
      case 'character_literal':
        return { span: base.span, text: base.text, k: 'str', value: decodeEscapes(node.text.slice(1, -1)) };
      case 'integer_literal':
      case 'long_literal':
      case 'hex_literal':
        return { span: base.span, text: base.text, k: 'num', value: Number(node.text.replace(/[_lL]/g, '')) };
      case 'simple_identifier':
      case 'interpolated_identifier':
        return { span: base.span, text: base.text, k: 'name', name: base.text };
      case 'this_expression':
        return { span: base.span, text: base.text, k: 'name', name: 'this' };
      case 'postfix_expression': {
        // `x!!` is x; `i++` is arithmetic
        const operand = operands(node)[0];
        return operand && node.children[node.children.length - 1]?.text === '!!' ? this.expr(operand) : this.other(node);
      }
      case 'navigation_expression': {
        const [object, suffix] = operands(node);
        const name = childOfType(suffix, 'simple_identifier');
        // `a.b` and `a?.b`; `Foo::class` is a reference, no member
        if (!object || !name || suffix.children[0]?.text === '::') return this.other(node);
        return { span: base.span, text: base.text, k: 'attr', object: this.expr(object), name: name.text };
      }
      case 'indexing_expression': {
        const [object, suffix] = operands(node);
        const index = suffix && operands(suffix)[0];
        if (!object || !index) return this.other(node);
        const obj = this.expr(object);
        const key = this.expr(index);
        // `a[i]` is `a.get(i)` by Kotlin's operator convention (`ops.opsForValue()[key]` is a GET): the call is a site too
        const id = this.callId(node);
        this.recordCall({ span: base.span, text: base.text, k: 'call', callee: { k: 'attr', object: obj, name: 'get', span: base.span, text: `${object.text}.get` }, args: [key], kwargs: NO_KWARGS, isNew: false, id });
        return { span: base.span, text: base.text, k: 'index', object: obj, index: key };
      }
      case 'additive_expression': {
        const [leftNode, rightNode] = operands(node);
        if (!leftNode || !rightNode || node.children.find((c) => !c.isNamed)?.text !== '+') return this.other(node);
        const left = this.expr(leftNode);
        return { span: base.span, text: base.text, k: 'concat', parts: [...(left.k === 'concat' ? left.parts : [left]), this.expr(rightNode)] };
      }
      case 'elvis_expression':
        return this.alternatives(node, operands(node));
      case 'if_expression': {
        const branches = operands(node).filter((c) => c.type === 'control_structure_body');
        return branches.length === 2 ? this.alternatives(node, branches.map(branchValue)) : this.other(node);
      }
      case 'when_expression':
        return this.alternatives(
          node,
          operands(node).flatMap((e) => (e.type === 'when_entry' ? [branchValue(childOfType(e, 'control_structure_body'))] : [])),
        );
      case 'spread_expression': {
        const value = operands(node)[0];
        return value ? { span: base.span, text: base.text, k: 'spread', value: this.expr(value) } : this.other(node);
      }
      case 'lambda_literal':
      case 'anonymous_function':
        return { span: base.span, text: base.text, k: 'func', scope: this.functionLiteral(node) };
      case 'call_expression': {
        // the head of `f(x) { … }` is part of the outer call
        const outer = node.parent;
        return outer && trailingLambdaHead(outer)?.id === node.id ? this.expr(outer) : this.call(node);
      }
      default:
        return this.other(node);
    }
  }

  /**
   * `a ?: b`, `if (c) a else b`, `when { … }`: one of the values, nested choices flattened. A branch
   * that jumps (`?: return`, `else -> throw …`) gives no value.
   */
  private alternatives(node: Node, values: (Node | null)[]): Expr {
    const options: Expr[] = [];
    for (const v of values) {
      if (v?.type === 'jump_expression') continue;
      const e = v ? this.expr(v) : this.other(node);
      options.push(...(e.k === 'alt' ? e.options : [e]));
    }
    if (options.length <= 1) return options[0] ?? this.other(node);
    return { span: span(node), text: node.text, k: 'alt', options };
  }

  /**
   * A plain string is a `str`, one with templates (`"user:$id"`, `"${user.id}"`) an `interp`. Raw
   * strings (`"""…"""`) keep their text as written, escapes included.
   */
  private stringLiteral(node: Node): Expr {
    const raw = node.text.startsWith('"""');
    const parts: (string | Expr)[] = [];
    let text = '';
    for (const c of node.namedChildren) {
      if (c.type === 'string_content') {
        text += c.text;
        continue;
      }
      const inner = c.type === 'interpolated_identifier' ? c : c.type === 'interpolated_expression' ? operands(c)[0] : null;
      if (!inner) continue;
      parts.push(raw ? text : decodeEscapes(text), this.expr(inner));
      text = '';
    }
    parts.push(raw ? text : decodeEscapes(text));
    if (parts.length === 1) return { span: span(node), text: node.text, k: 'str', value: parts[0] as string };
    return { span: span(node), text: node.text, k: 'interp', parts: fit(parts) };
  }

  /** A lambda or `fun (…) { … }` literal: its own scope; passed to a call, it says which (like Java's lambdas). */
  private functionLiteral(node: Node): string {
    const lambda = node.type === 'lambda_literal';
    const paramsNode = childOfType(node, lambda ? 'lambda_parameters' : 'function_value_parameters');
    // a lambda that names no parameter has one, `it`
    const params = lambda && !paramsNode ? [{ name: 'it' }] : this.params(paramsNode);
    const call = callTaking(node);
    return this.onceForFunction(node, () =>
      this.withScope(node, 'function', params, { argOf: call ? this.callId(call) : undefined }, () => {
        const body = childOfType(node, 'statements') ?? childOfType(node, 'function_body');
        if (body) this.visit(body);
      }),
    );
  }

  private call(node: Node): Expr {
    const base = { span: span(node), text: node.text };
    // `f(x) { … }` parses as a call of the call `f(x)`: one call, the lambda its last argument
    const head = trailingLambdaHead(node);
    const calleeNode = operands(head ?? node)[0];
    if (!calleeNode) return this.other(node);
    const args: Expr[] = [];
    let kwargs = NO_KWARGS;
    const suffixes = [head && childOfType(head, 'call_suffix'), childOfType(node, 'call_suffix')];
    for (const suffix of suffixes) {
      for (const a of childOfType(suffix, 'value_arguments')?.namedChildren ?? []) {
        if (a.type !== 'value_argument') continue;
        const [first, value] = operands(a);
        if (!first) continue;
        if (!value) args.push(this.expr(first));
        else {
          // a named argument, `f(key = x)`
          if (kwargs === NO_KWARGS) kwargs = {};
          kwargs[first.text] = this.expr(value);
        }
      }
      const lambda = childOfType(childOfType(suffix, 'annotated_lambda'), 'lambda_literal');
      if (lambda) args.push(this.expr(lambda));
    }
    const callee = this.expr(calleeNode);
    const fname = callee.k === 'attr' ? `${callee.object.text}.${callee.name}` : callee.text;
    const onString = callee.k === 'attr' && (callee.object.k === 'str' || callee.object.k === 'interp' || callee.object.k === 'concat');
    if (fname === 'String.format' && args[0]) return { span: base.span, text: base.text, k: 'format', style: 'printf', format: args[0], args: args.slice(1), kwargs: NO_KWARGS };
    if (onString && callee.name === 'format') return { span: base.span, text: base.text, k: 'format', style: 'printf', format: callee.object, args, kwargs: NO_KWARGS };
    // Lua does not mind the indentation, and the literal's offsets still point into the file
    if (callee.k === 'attr' && callee.name === 'trimIndent' && callee.object.k === 'str') return callee.object;
    if (fname === 'String.join' && args.length >= 2)
      return { span: base.span, text: base.text, k: 'join', sep: args[0], items: args.length === 2 ? args[1] : { k: 'list', items: args.slice(1), span: base.span, text: base.text } };
    // (not with a transform, a prefix or a postfix)
    if (callee.k === 'attr' && callee.name === 'joinToString' && args.length <= 1 && args.every((a) => a.k !== 'func') && Object.keys(kwargs).every((k) => k === 'separator')) {
      const sep = args[0] ?? kwargs.separator ?? { k: 'str', value: ', ', span: base.span, text: '", "' };
      return { span: base.span, text: base.text, k: 'join', sep, items: callee.object };
    }
    if (LIST_BUILDERS.test(fname)) return { span: base.span, text: base.text, k: 'list', items: fit(args) };
    return { span: base.span, text: base.text, k: 'call', callee, args: fit(args), kwargs, isNew: false, id: this.callId(node) };
  }
}

/** Named children without comments, which the grammar places anywhere (`a // why\n .b()`). */
function operands(node: Node): Node[] {
  return node.namedChildren.filter((c) => !COMMENTS.has(c.type));
}

function childOfType(node: Node | null | undefined, type: string): Node | null {
  return node?.namedChildren.find((c) => c.type === type) ?? null;
}

/** The declared type written after a name (`redis: StringRedisTemplate`), without `?`: nullability is not part of the Java type. */
function typeAfter(node: Node, name: Node): string | undefined {
  const named = operands(node);
  const next = named[named.findIndex((c) => c.id === name.id) + 1];
  return next && TYPE_TYPES.has(next.type) ? next.text.replace(/\?$/, '') : undefined;
}

function paramOf(declaration: Node, name: Node): Param {
  const type = typeAfter(declaration, name);
  return type ? { name: name.text, type } : { name: name.text };
}

function withoutTypeArguments(type: string): string {
  return type.replace(/<.*>$/s, '');
}

/** The expression after a node's `=` (a property's initialiser, an assignment's value, an expression body). */
function valueAfterEquals(node: Node): Node | null {
  let seen = false;
  for (const c of node.children) {
    if (seen && c.isNamed && !COMMENTS.has(c.type)) return c;
    if (!c.isNamed && c.text === '=') seen = true;
  }
  return null;
}

/** `= expr` of an expression-bodied function or getter. */
function expressionBody(body: Node | null): Node | null {
  return body?.type === 'function_body' ? valueAfterEquals(body) : null;
}

/** `by lazy { v }`: v, the lambda's last expression. */
function lazyValue(delegate: Node | null): Node | null {
  const call = childOfType(delegate, 'call_expression');
  if (!call || operands(call)[0]?.text !== 'lazy') return null;
  const statements = childOfType(childOfType(childOfType(childOfType(call, 'call_suffix'), 'annotated_lambda'), 'lambda_literal'), 'statements');
  return statements ? (operands(statements).pop() ?? null) : null;
}

/** The value of an `if` / `when` branch: its expression, or the last one of its block. */
function branchValue(body: Node | null): Node | null {
  const block = childOfType(body, 'statements') ?? body;
  return block ? (operands(block).pop() ?? null) : null;
}

/**
 * `f(x) { … }` parses as a call whose callee is the call `f(x)` and whose only argument is the
 * lambda: that inner call, the head of the one call written.
 */
function trailingLambdaHead(node: Node | null): Node | null {
  if (node?.type !== 'call_expression') return null;
  const [inner, suffix] = operands(node);
  if (inner?.type !== 'call_expression' || suffix?.type !== 'call_suffix' || childOfType(suffix, 'value_arguments') || !childOfType(suffix, 'annotated_lambda')) return null;
  const innerSuffix = childOfType(inner, 'call_suffix');
  return innerSuffix && childOfType(innerSuffix, 'value_arguments') && !childOfType(innerSuffix, 'annotated_lambda') ? inner : null;
}

/** The call a function literal is an argument of (in parentheses or trailing). */
function callTaking(node: Node): Node | null {
  const p = node.parent;
  const suffix = p?.type === 'annotated_lambda' ? p.parent : p?.type === 'value_argument' ? p.parent?.parent : null;
  const call = suffix?.type === 'call_suffix' ? suffix.parent : null;
  if (call?.type !== 'call_expression') return null;
  // an argument of the head of `f(x) { … }` belongs to the outer call
  return call.parent && trailingLambdaHead(call.parent)?.id === call.id ? call.parent : call;
}

/** Each `return v` of a function body (not `return@label`, which leaves a lambda; not those of nested functions or classes). */
function collectReturns(node: Node | null, fn: (value: Node) => void): void {
  for (const c of node?.namedChildren ?? []) {
    const value = c.type === 'jump_expression' && c.children[0]?.text === 'return' ? operands(c)[0] : undefined;
    if (value) fn(value);
    if (!RETURN_BARRIERS.has(c.type)) collectReturns(c, fn);
  }
}
