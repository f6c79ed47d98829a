import type { SyntaxNode as Node } from './tree';
import { Extractor, span } from './base';
import type { Expr } from './ir';

/** Kotlin: Spring Data Redis, Lettuce (and its coroutines API), Jedis and Redisson code. */
export class KotlinExtractor extends Extractor {
  protected visitNode(node: Node): void {
    this.visitChildren(node);
  }

  protected convert(node: Node): Expr {
    return { span: span(node), text: node.text, k: 'other' };
  }
}
