import { fieldOfProblem, problemsByField } from './formState';

describe('problemsByField', () => {
  it("puts each of the backend's problems under the form field it names", () => {
    expect(fieldOfProblem('id')).toBe('id');
    expect(fieldOfProblem('roles.viewer[2]')).toBe('role.viewer');
    expect(fieldOfProblem('quotas.databricks.maxDbuPerHour')).toBe(
      'quota.databricks.maxDbuPerHour',
    );
    expect(fieldOfProblem('databricks.host')).toBe('databricksHost');
    expect(fieldOfProblem('databricks.workspaceId')).toBe(
      'databricksWorkspaceId',
    );
    expect(fieldOfProblem('iceberg.catalog')).toBe('icebergCatalog');
    expect(fieldOfProblem('budget.monthly')).toBe('budgetMonthly');
    expect(fieldOfProblem('egress.allow[0].ports[1]')).toBe('egress');
    // Fields the form does not show stay in the summary.
    expect(fieldOfProblem('storageLocations[0]')).toBeUndefined();
    expect(fieldOfProblem('body')).toBeUndefined();

    expect(
      problemsByField(
        'id: must be 2-40 lower-case letters; roles.admin[0]: must be a group ref; roles.admin[1]: must be a group ref; body: must be an object; a sentence without a path',
      ),
    ).toEqual({
      id: 'must be 2-40 lower-case letters',
      'role.admin': 'must be a group ref; must be a group ref',
    });
  });
});
