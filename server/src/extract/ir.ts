import type { Span } from '../model/pattern';

/*
 * What each language extractor produces: a small, language-neutral picture of the file - the
 * expressions that can build keys, who is bound to what, the functions that build keys, and every
 * call. The resolver and the client profiles work only on this, never on tree-sitter nodes.
 */

export type Language = 'python' | 'javascript' | 'typescript' | 'tsx' | 'go' | 'java' | 'kotlin' | 'lua' | 'redis';

interface Base {
  span: Span;
  /** source text, used as the hole expression when the value is unknown */
  text: string;
}

export type Expr =
  | (Base & { k: 'str'; value: string })
  /** f-string / template literal: literal text and embedded expressions, escapes decoded */
  | (Base & { k: 'interp'; parts: (string | Expr)[] })
  | (Base & { k: 'concat'; parts: Expr[] })
  /** printf (`%d`, Go/Java/Python `%`) or brace (`'{0}'.format`) formatting */
  | (Base & { k: 'format'; style: 'printf' | 'brace'; format: Expr; args: Expr[]; kwargs: Record<string, Expr> })
  | (Base & { k: 'join'; sep: Expr; items: Expr })
  | (Base & { k: 'name'; name: string })
  | (Base & { k: 'attr'; object: Expr; name: string })
  | (Base & { k: 'index'; object: Expr; index: Expr })
  | (Base & { k: 'call'; callee: Expr; args: Expr[]; kwargs: Record<string, Expr>; isNew: boolean; id: number })
  | (Base & { k: 'list'; items: Expr[] })
  | (Base & { k: 'dict'; entries: [Expr, Expr][] })
  | (Base & { k: 'num'; value: number })
  | (Base & { k: 'spread'; value: Expr })
  /** one of several values: `a if c else b`, `a or b`, `c ? a : b`, `a ?? b`, `a || b` */
  | (Base & { k: 'alt'; options: Expr[] })
  /** a function literal (lambda, arrow, Go func literal): its scope id */
  | (Base & { k: 'func'; scope: string })
  | (Base & { k: 'other' });

export type CallExpr = Extract<Expr, { k: 'call' }>;

export interface Param {
  name: string;
  /** declared type text, when written (type hints, Go/Java/TS types) */
  type?: string;
}

export interface Scope {
  id: string;
  kind: 'module' | 'class' | 'function';
  name?: string;
  parent?: string;
  /** the class a method belongs to */
  className?: string;
  params: Param[];
  span: Span;
  /** for a function literal passed as an argument: the call it is passed to */
  argOf?: number;
  /** a class's base classes as written (`redis.Redis`, `Redis`) */
  bases?: string[];
  /** a class's annotations (Java: `@RedisHash("people")`, `@CacheConfig(cacheNames = "books")`) */
  annotations?: Annotation[];
}

/**
 * An annotation as written (Java): its simple name and its arguments by name; a lone argument is
 * `value`, and an array `{"a", "b"}` is a list.
 */
export interface Annotation {
  name: string;
  args: Record<string, Expr>;
  span: Span;
}

export interface Binding {
  name: string;
  scope: string;
  value: Expr;
  /** offset where the binding takes effect */
  pos: number;
  /** 'attr' for self.x / this.x / struct fields, keyed by class name */
  kind: 'var' | 'attr';
  className?: string;
  /** declared type text (Java/Go/TS declarations, struct fields) */
  type?: string;
}

export interface FuncDef {
  name: string;
  scope: string;
  className?: string;
  params: Param[];
  returns: Expr[];
  /** a method's annotations (Java: `@Cacheable(value = "books", key = "#isbn")`) */
  annotations?: Annotation[];
}

export interface Import {
  /** name bound in this file */
  local: string;
  /** module path as written */
  module: string;
  /** imported member, if any */
  member?: string;
  /** Python: imported in this class's body (`class C: from ._users import get_user`), so the functions are its methods */
  intoClass?: string;
}

export interface CallSite {
  call: CallExpr;
  scope: string;
  /** `with X as name` / `async with`: the name the call's result is bound to for the block */
  boundAs?: string;
}

/** Lua source passed as a string (eval, register_script, defineCommand, NewScript …). */
export interface EmbeddedScript {
  /** the string expression holding the Lua code */
  expr: Expr;
}

export interface FileFacts {
  file: string;
  language: Language;
  scopes: Map<string, Scope>;
  bindings: Binding[];
  functions: FuncDef[];
  calls: CallSite[];
  imports: Import[];
  /** count of ERROR / MISSING nodes: the file was parsed as far as possible */
  syntaxErrors: number;
  /** the code nests deeper than the extractors follow (Extractor.MAX_NESTING): analysed down to there */
  tooDeep?: boolean;
}

export function newFacts(file: string, language: Language): FileFacts {
  return { file, language, scopes: new Map(), bindings: [], functions: [], calls: [], imports: [], syntaxErrors: 0 };
}
