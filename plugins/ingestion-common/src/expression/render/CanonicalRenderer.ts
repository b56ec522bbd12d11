import { DataType } from '../ast';
import { formatDataType } from '../dataTypes';
import { FUNCTION_NAMES, FUNCTIONS } from '../functions';
import { isSafeIdentifier } from '../identifiers';
import { RESERVED_WORDS } from '../lexer';
import { SqlRenderer } from './SqlRenderer';

// `current_date` alone is the function; a column of that name must be quoted.
const BARE_WORD_FUNCTIONS = new Set<string>(
  FUNCTION_NAMES.filter(name => FUNCTIONS[name].bareWord),
);

/** Column names that would read as something else when written plainly. */
const needsQuotes = (name: string) => {
  const lower = name.toLowerCase();
  return (
    !isSafeIdentifier(name) ||
    RESERVED_WORDS.has(lower) ||
    BARE_WORD_FUNCTIONS.has(lower)
  );
};

/**
 * Writes a tree back in the expression language itself: the text that is stored, shown to
 * people and parsed again. `parseExpression(formatExpression(ast))` gives `ast` back.
 */
export class CanonicalRenderer extends SqlRenderer {
  protected readonly functions = {};

  protected identifier(name: string): string {
    return needsQuotes(name) ? `\`${name}\`` : name;
  }

  protected stringLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
  }

  protected dataType(type: DataType): string {
    return formatDataType(type);
  }
}
