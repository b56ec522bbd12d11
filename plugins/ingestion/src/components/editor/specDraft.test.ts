import {
  changeSectionType,
  emptySection,
  mergeProblems,
  moveItem,
  problemsAt,
  sectionTypes,
  setAt,
} from './specDraft';

describe('spec draft helpers', () => {
  it('sets a nested value without touching the original, and removes cleared keys', () => {
    const spec = {
      source: { type: 'mysql', table: 't' },
      transformations: [{ type: 'filter', condition: 'a' }],
    };
    const next = setAt(spec, ['transformations', 0, 'condition'], 'b');
    expect(next.transformations[0]).toEqual({ type: 'filter', condition: 'b' });
    expect(spec.transformations[0].condition).toBe('a');
    expect(next.source).toBe(spec.source);
    expect(setAt(spec, ['source', 'table'], undefined).source).toEqual({
      type: 'mysql',
    });
  });

  it('moves an item and ignores moves out of the list', () => {
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b'], 1, 2)).toEqual(['a', 'b']);
  });

  it('gives a field the problems of its path and of its parts only', () => {
    const problems = [
      { path: 'transformations[1].columns[0]', message: 'bad column' },
      { path: 'transformations[1].column', message: 'required' },
      { path: 'transformations[10].columns', message: 'other item' },
    ];
    expect(problemsAt(problems, ['transformations', 1, 'columns'])).toEqual([
      problems[0],
    ]);
    expect(problemsAt(problems, ['transformations', 1, 'column'])).toEqual([
      problems[1],
    ]);
  });

  it('merges the client and server problems without repeating one', () => {
    const a = { path: 'target.table', message: 'required' };
    expect(mergeProblems([a], [{ ...a }], undefined)).toEqual([a]);
  });

  it('knows the types of each section from the common schema', () => {
    expect(sectionTypes('transformation')).toEqual(
      expect.arrayContaining(['filter', 'aggregate', 'window', 'mask']),
    );
    expect(sectionTypes('rule')).toContain('row_count');
    expect(emptySection('transformation', 'select')).toEqual({
      type: 'select',
      columns: [],
    });
  });

  it('keeps the fields a new section type shares with the old one', () => {
    expect(
      changeSectionType(
        'source',
        {
          type: 'mysql',
          connection: 'db',
          table: 't',
          incremental_column: 'u',
        },
        'postgres',
      ),
    ).toEqual({
      type: 'postgres',
      connection: 'db',
      table: 't',
      incremental_column: 'u',
    });
    expect(
      changeSectionType(
        'source',
        { type: 'mysql', connection: 'db', table: 't' },
        'file',
      ),
    ).toEqual({
      type: 'file',
      connection: 'db',
      path: '',
      format: '',
    });
  });
});
