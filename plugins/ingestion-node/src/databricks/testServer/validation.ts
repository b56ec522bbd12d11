/**
 * Request validation of the fake workspace: the required fields and types of the published Jobs API 2.2 and
 * Workspace API 2.0 request bodies, so a client bug surfaces as a 400 `INVALID_PARAMETER_VALUE` as it would
 * against a real workspace. Unknown fields are accepted, like the real API does.
 */

type Json = Record<string, unknown>;

export class Problems {
  readonly list: string[] = [];

  add(message: string): void {
    this.list.push(message);
  }

  get ok(): boolean {
    return this.list.length === 0;
  }
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isInt = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value);

function stringMap(value: unknown, where: string, problems: Problems): void {
  if (value === undefined) {
    return;
  }
  if (!isObject(value)) {
    problems.add(`${where} must be an object of strings`);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      problems.add(`${where}.${key} must be a string`);
    }
  }
}

function optionalString(
  body: Json,
  key: string,
  where: string,
  problems: Problems,
  maxLength?: number,
): void {
  const value = body[key];
  if (value === undefined) {
    return;
  }
  if (typeof value !== 'string') {
    problems.add(`${where}${key} must be a string`);
  } else if (maxLength !== undefined && value.length > maxLength) {
    problems.add(`${where}${key} must be at most ${maxLength} characters`);
  }
}

const AVAILABILITY = ['SPOT', 'ON_DEMAND', 'SPOT_WITH_FALLBACK'];
const SECURITY_MODES = [
  'NONE',
  'SINGLE_USER',
  'USER_ISOLATION',
  'LEGACY_TABLE_ACL',
  'LEGACY_PASSTHROUGH',
  'LEGACY_SINGLE_USER',
  'LEGACY_SINGLE_USER_STANDARD',
  'DATA_SECURITY_MODE_AUTO',
  'DATA_SECURITY_MODE_STANDARD',
  'DATA_SECURITY_MODE_DEDICATED',
];

/** A `new_cluster` (compute.ClusterSpec). */
export function validateClusterSpec(
  value: unknown,
  where: string,
  problems: Problems,
): void {
  if (!isObject(value)) {
    problems.add(`${where} must be an object`);
    return;
  }
  if (typeof value.spark_version !== 'string' || !value.spark_version) {
    problems.add(`${where}.spark_version is required`);
  }
  if (
    typeof value.node_type_id !== 'string' &&
    typeof value.instance_pool_id !== 'string'
  ) {
    problems.add(`${where} needs node_type_id or instance_pool_id`);
  }
  if (value.autoscale !== undefined) {
    const autoscale = value.autoscale;
    if (
      !isObject(autoscale) ||
      !isInt(autoscale.min_workers) ||
      !isInt(autoscale.max_workers) ||
      autoscale.min_workers < 0 ||
      autoscale.max_workers < autoscale.min_workers
    ) {
      problems.add(
        `${where}.autoscale needs integer min_workers and max_workers with 0 <= min_workers <= max_workers`,
      );
    }
  } else if (!isInt(value.num_workers) || value.num_workers < 0) {
    problems.add(
      `${where} needs num_workers (a non-negative integer) or autoscale`,
    );
  }
  if (value.aws_attributes !== undefined) {
    const aws = value.aws_attributes;
    if (!isObject(aws)) {
      problems.add(`${where}.aws_attributes must be an object`);
    } else {
      if (
        aws.availability !== undefined &&
        !AVAILABILITY.includes(aws.availability as string)
      ) {
        problems.add(
          `${where}.aws_attributes.availability must be one of ${AVAILABILITY.join(
            ', ',
          )}`,
        );
      }
      if (
        aws.first_on_demand !== undefined &&
        (!isInt(aws.first_on_demand) || aws.first_on_demand < 0)
      ) {
        problems.add(
          `${where}.aws_attributes.first_on_demand must be a non-negative integer`,
        );
      }
      if (
        aws.spot_bid_price_percent !== undefined &&
        (!isInt(aws.spot_bid_price_percent) ||
          aws.spot_bid_price_percent < 1 ||
          aws.spot_bid_price_percent > 10000)
      ) {
        problems.add(
          `${where}.aws_attributes.spot_bid_price_percent must be an integer percentage`,
        );
      }
    }
  }
  if (
    value.data_security_mode !== undefined &&
    !SECURITY_MODES.includes(value.data_security_mode as string)
  ) {
    problems.add(`${where}.data_security_mode is not a data security mode`);
  }
  if (
    value.autotermination_minutes !== undefined &&
    (!isInt(value.autotermination_minutes) ||
      (value.autotermination_minutes !== 0 &&
        (value.autotermination_minutes < 10 ||
          value.autotermination_minutes > 43200)))
  ) {
    problems.add(
      `${where}.autotermination_minutes must be 0 or between 10 and 43200`,
    );
  }
  stringMap(value.spark_conf, `${where}.spark_conf`, problems);
  stringMap(value.custom_tags, `${where}.custom_tags`, problems);
  if (
    value.enable_elastic_disk !== undefined &&
    typeof value.enable_elastic_disk !== 'boolean'
  ) {
    problems.add(`${where}.enable_elastic_disk must be a boolean`);
  }
  optionalString(value, 'policy_id', `${where}.`, problems);
}

const TASK_KEY = /^[\w-]{1,100}$/;
const TASK_TYPES = [
  'notebook_task',
  'spark_jar_task',
  'spark_python_task',
  'spark_submit_task',
  'python_wheel_task',
  'pipeline_task',
  'sql_task',
  'dbt_task',
  'run_job_task',
  'condition_task',
  'for_each_task',
];

/** A task of `runs/submit` (`submit`) or of job settings (`job`, where job clusters may be referenced). */
export function validateTask(
  task: unknown,
  where: string,
  context: { kind: 'submit' | 'job'; jobClusterKeys: Set<string> },
  problems: Problems,
): void {
  if (!isObject(task)) {
    problems.add(`${where} must be an object`);
    return;
  }
  if (typeof task.task_key !== 'string' || !TASK_KEY.test(task.task_key)) {
    problems.add(
      `${where}.task_key is required: 1 to 100 letters, digits, underscores and dashes`,
    );
  }
  const types = TASK_TYPES.filter(type => task[type] !== undefined);
  if (types.length !== 1) {
    problems.add(
      `${where} must define exactly one task type (e.g. notebook_task)`,
    );
  } else if (types[0] !== 'notebook_task') {
    problems.add(
      `${where}: the test server only runs notebook tasks, got ${types[0]}`,
    );
  } else {
    const notebook = task.notebook_task;
    if (!isObject(notebook)) {
      problems.add(`${where}.notebook_task must be an object`);
    } else {
      const source = notebook.source ?? 'WORKSPACE';
      if (
        typeof notebook.notebook_path !== 'string' ||
        !notebook.notebook_path
      ) {
        problems.add(`${where}.notebook_task.notebook_path is required`);
      } else if (
        source === 'WORKSPACE' &&
        !notebook.notebook_path.startsWith('/')
      ) {
        problems.add(
          `${where}.notebook_task.notebook_path must be an absolute workspace path, got ${notebook.notebook_path}`,
        );
      }
      stringMap(
        notebook.base_parameters,
        `${where}.notebook_task.base_parameters`,
        problems,
      );
    }
  }
  const compute = [
    'new_cluster',
    'existing_cluster_id',
    'job_cluster_key',
  ].filter(key => task[key] !== undefined);
  if (compute.length !== 1) {
    problems.add(
      context.kind === 'submit'
        ? `${where}: one of new_cluster or existing_cluster_id must be specified`
        : `${where}: one of job_cluster_key, new_cluster or existing_cluster_id must be specified`,
    );
  } else if (compute[0] === 'new_cluster') {
    validateClusterSpec(task.new_cluster, `${where}.new_cluster`, problems);
  } else if (compute[0] === 'existing_cluster_id') {
    if (typeof task.existing_cluster_id !== 'string') {
      problems.add(`${where}.existing_cluster_id must be a string`);
    }
  } else if (context.kind === 'submit') {
    problems.add(
      `${where}.job_cluster_key is not supported for one-time runs: use new_cluster`,
    );
  } else if (!context.jobClusterKeys.has(task.job_cluster_key as string)) {
    problems.add(
      `${where}.job_cluster_key "${String(
        task.job_cluster_key,
      )}" does not name one of the job's job_clusters`,
    );
  }
  if (
    task.timeout_seconds !== undefined &&
    (!isInt(task.timeout_seconds) || task.timeout_seconds < 0)
  ) {
    problems.add(`${where}.timeout_seconds must be a non-negative integer`);
  }
}

function validateTasks(
  tasks: unknown,
  context: { kind: 'submit' | 'job'; jobClusterKeys: Set<string> },
  problems: Problems,
  required: boolean,
): void {
  if (tasks === undefined && !required) {
    return;
  }
  if (!Array.isArray(tasks) || tasks.length === 0) {
    problems.add('tasks is required: at least one task');
    return;
  }
  if (tasks.length > 100) {
    problems.add('tasks can hold at most 100 tasks');
  }
  const keys = new Set<string>();
  tasks.forEach((task, index) => {
    validateTask(task, `tasks[${index}]`, context, problems);
    const key = isObject(task) ? task.task_key : undefined;
    if (typeof key === 'string') {
      if (keys.has(key)) {
        problems.add(`tasks[${index}].task_key "${key}" is not unique`);
      }
      keys.add(key);
    }
  });
}

function validateEmailNotifications(value: unknown, problems: Problems): void {
  if (value === undefined) {
    return;
  }
  if (!isObject(value)) {
    problems.add('email_notifications must be an object');
    return;
  }
  for (const [key, list] of Object.entries(value)) {
    if (key === 'no_alert_for_skipped_runs') {
      continue;
    }
    if (!Array.isArray(list) || list.some(item => typeof item !== 'string')) {
      problems.add(`email_notifications.${key} must be a list of addresses`);
    }
  }
}

function validateCommon(body: Json, problems: Problems): void {
  if (
    body.timeout_seconds !== undefined &&
    (!isInt(body.timeout_seconds) || body.timeout_seconds < 0)
  ) {
    problems.add('timeout_seconds must be a non-negative integer');
  }
  if (
    body.queue !== undefined &&
    (!isObject(body.queue) || typeof body.queue.enabled !== 'boolean')
  ) {
    problems.add('queue.enabled is required and must be a boolean');
  }
  validateEmailNotifications(body.email_notifications, problems);
}

/** `POST /api/2.2/jobs/runs/submit`. */
export function validateSubmitRun(body: Json): Problems {
  const problems = new Problems();
  optionalString(body, 'run_name', '', problems, 4096);
  optionalString(body, 'idempotency_token', '', problems, 64);
  validateTasks(
    body.tasks,
    { kind: 'submit', jobClusterKeys: new Set() },
    problems,
    true,
  );
  validateCommon(body, problems);
  return problems;
}

const QUARTZ_FIELDS = /^\S+(\s+\S+){5,6}$/;

/** `JobSettings` of `jobs/create` and `jobs/reset`'s `new_settings`. */
export function validateJobSettings(body: Json, where = ''): Problems {
  const problems = new Problems();
  optionalString(body, 'name', where, problems, 4096);
  const jobClusterKeys = new Set<string>();
  if (body.job_clusters !== undefined) {
    if (!Array.isArray(body.job_clusters)) {
      problems.add(`${where}job_clusters must be a list`);
    } else {
      body.job_clusters.forEach((cluster: unknown, index) => {
        const at = `${where}job_clusters[${index}]`;
        if (
          !isObject(cluster) ||
          typeof cluster.job_cluster_key !== 'string' ||
          !cluster.job_cluster_key
        ) {
          problems.add(`${at}.job_cluster_key is required`);
          return;
        }
        if (jobClusterKeys.has(cluster.job_cluster_key)) {
          problems.add(
            `${at}.job_cluster_key "${cluster.job_cluster_key}" is not unique`,
          );
        }
        jobClusterKeys.add(cluster.job_cluster_key);
        validateClusterSpec(cluster.new_cluster, `${at}.new_cluster`, problems);
      });
    }
  }
  const taskProblems = new Problems();
  validateTasks(
    body.tasks,
    { kind: 'job', jobClusterKeys },
    taskProblems,
    false,
  );
  taskProblems.list.forEach(problem => problems.add(`${where}${problem}`));
  if (body.schedule !== undefined) {
    const schedule = body.schedule;
    if (!isObject(schedule)) {
      problems.add(`${where}schedule must be an object`);
    } else {
      if (
        typeof schedule.quartz_cron_expression !== 'string' ||
        !QUARTZ_FIELDS.test(schedule.quartz_cron_expression.trim())
      ) {
        problems.add(
          `${where}schedule.quartz_cron_expression is required: a Quartz cron expression (6 or 7 fields)`,
        );
      }
      if (typeof schedule.timezone_id !== 'string' || !schedule.timezone_id) {
        problems.add(`${where}schedule.timezone_id is required`);
      }
      if (
        schedule.pause_status !== undefined &&
        schedule.pause_status !== 'PAUSED' &&
        schedule.pause_status !== 'UNPAUSED'
      ) {
        problems.add(
          `${where}schedule.pause_status must be PAUSED or UNPAUSED`,
        );
      }
    }
  }
  if (
    body.max_concurrent_runs !== undefined &&
    (!isInt(body.max_concurrent_runs) ||
      body.max_concurrent_runs < 0 ||
      body.max_concurrent_runs > 1000)
  ) {
    problems.add(
      `${where}max_concurrent_runs must be an integer between 0 and 1000`,
    );
  }
  if (body.tags !== undefined) {
    stringMap(body.tags, `${where}tags`, problems);
    if (isObject(body.tags) && Object.keys(body.tags).length > 25) {
      problems.add(`${where}tags can hold at most 25 tags`);
    }
  }
  const common = new Problems();
  validateCommon(body, common);
  common.list.forEach(problem => problems.add(`${where}${problem}`));
  return problems;
}

export const LANGUAGES = ['PYTHON', 'SQL', 'SCALA', 'R'];
export const IMPORT_FORMATS = [
  'SOURCE',
  'HTML',
  'JUPYTER',
  'DBC',
  'R_MARKDOWN',
  'AUTO',
  'RAW',
];

/** `POST /api/2.0/workspace/import` (before the path checks). */
export function validateImport(body: Json): Problems {
  const problems = new Problems();
  if (typeof body.path !== 'string' || !body.path.startsWith('/')) {
    problems.add('path is required: an absolute workspace path');
  }
  const format = body.format ?? 'SOURCE';
  if (!IMPORT_FORMATS.includes(format as string)) {
    problems.add(`format must be one of ${IMPORT_FORMATS.join(', ')}`);
  } else if (format !== 'SOURCE') {
    problems.add(
      `the test server imports SOURCE notebooks only, got format ${String(
        format,
      )}`,
    );
  }
  if (format === 'SOURCE' && !LANGUAGES.includes(body.language as string)) {
    problems.add(
      `language is required for SOURCE imports: one of ${LANGUAGES.join(', ')}`,
    );
  }
  if (typeof body.content !== 'string') {
    problems.add('content is required: the base64-encoded notebook');
  } else if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body.content)) {
    problems.add('content must be base64-encoded');
  }
  if (body.overwrite !== undefined && typeof body.overwrite !== 'boolean') {
    problems.add('overwrite must be a boolean');
  }
  return problems;
}

/** Legacy per-task parameter fields of `run-now`; job-level `job_parameters` cannot be mixed with them. */
const RUN_NOW_TASK_PARAMETERS = [
  'notebook_params',
  'jar_params',
  'python_params',
  'spark_submit_params',
  'python_named_params',
  'sql_params',
  'dbt_commands',
];

function stringList(value: unknown, where: string, problems: Problems): void {
  if (
    value !== undefined &&
    (!Array.isArray(value) || value.some(item => typeof item !== 'string'))
  ) {
    problems.add(`${where} must be a list of strings`);
  }
}

/**
 * `POST /api/2.2/jobs/run-now`: `job_id` required; `idempotency_token` at most 64 characters; parameter maps of
 * strings; `notebook_params` not with `jar_params`, `job_parameters` not with any per-task parameters; the JSON
 * of `notebook_params` at most 10,000 bytes.
 */
export function validateRunNow(body: Json): Problems {
  const problems = new Problems();
  if (
    !isInt(body.job_id) ||
    body.job_id <= 0 ||
    !Number.isSafeInteger(body.job_id)
  ) {
    problems.add('job_id is required and must be a positive integer');
  }
  optionalString(body, 'idempotency_token', '', problems, 64);
  stringMap(body.job_parameters, 'job_parameters', problems);
  stringMap(body.notebook_params, 'notebook_params', problems);
  stringMap(body.python_named_params, 'python_named_params', problems);
  stringMap(body.sql_params, 'sql_params', problems);
  for (const key of [
    'jar_params',
    'python_params',
    'spark_submit_params',
    'dbt_commands',
    'only',
  ]) {
    stringList(body[key], key, problems);
  }
  if (body.notebook_params !== undefined && body.jar_params !== undefined) {
    problems.add(
      'notebook_params cannot be specified in conjunction with jar_params',
    );
  }
  if (
    body.notebook_params !== undefined &&
    JSON.stringify({ notebook_params: body.notebook_params }).length > 10_000
  ) {
    problems.add('notebook_params must not exceed 10,000 bytes as JSON');
  }
  const legacy = RUN_NOW_TASK_PARAMETERS.filter(key => body[key] !== undefined);
  if (body.job_parameters !== undefined && legacy.length > 0) {
    problems.add(
      `job_parameters cannot be used together with task parameters (${legacy.join(
        ', ',
      )})`,
    );
  }
  if (
    body.queue !== undefined &&
    (!isObject(body.queue) || typeof body.queue.enabled !== 'boolean')
  ) {
    problems.add('queue.enabled is required and must be a boolean');
  }
  return problems;
}

const WAIT_TIMEOUT = /^(\d+)s$/;
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `POST /api/2.0/sql/statements`: `statement` and `warehouse_id` required; `wait_timeout` `0s` or 5 to 50 s;
 * `on_wait_timeout` CONTINUE or CANCEL; `disposition` INLINE or EXTERNAL_LINKS; `format` JSON_ARRAY,
 * ARROW_STREAM or CSV (the last two only with EXTERNAL_LINKS); `parameters` named, with string values (or null).
 * Positional `?` markers are not supported. (An unbound `:name` is not a 400 but a FAILED statement, see
 * {@link unboundMarkers}.)
 */
export function validateStatement(body: Json): Problems {
  const problems = new Problems();
  if (typeof body.statement !== 'string' || body.statement.trim() === '') {
    problems.add('statement is required');
  }
  if (typeof body.warehouse_id !== 'string' || !body.warehouse_id) {
    problems.add('warehouse_id is required');
  }
  if (body.wait_timeout !== undefined) {
    const match =
      typeof body.wait_timeout === 'string'
        ? WAIT_TIMEOUT.exec(body.wait_timeout)
        : null;
    const seconds = match ? Number(match[1]) : NaN;
    if (!(seconds === 0 || (seconds >= 5 && seconds <= 50))) {
      problems.add('wait_timeout must be 0s or between 5s and 50s');
    }
  }
  if (
    body.on_wait_timeout !== undefined &&
    !['CONTINUE', 'CANCEL'].includes(body.on_wait_timeout as string)
  ) {
    problems.add('on_wait_timeout must be CONTINUE or CANCEL');
  }
  const disposition = body.disposition ?? 'INLINE';
  if (!['INLINE', 'EXTERNAL_LINKS'].includes(disposition as string)) {
    problems.add('disposition must be INLINE or EXTERNAL_LINKS');
  }
  const format = body.format ?? 'JSON_ARRAY';
  if (!['JSON_ARRAY', 'ARROW_STREAM', 'CSV'].includes(format as string)) {
    problems.add('format must be JSON_ARRAY, ARROW_STREAM or CSV');
  } else if (format !== 'JSON_ARRAY' && disposition === 'INLINE') {
    problems.add(`format ${format} is supported only with EXTERNAL_LINKS`);
  }
  for (const key of ['row_limit', 'byte_limit']) {
    if (body[key] !== undefined && (!isInt(body[key]) || body[key] < 0)) {
      problems.add(`${key} must be a non-negative integer`);
    }
  }
  if (body.parameters !== undefined) {
    if (!Array.isArray(body.parameters)) {
      problems.add('parameters must be a list');
    } else {
      body.parameters.forEach((parameter, index) => {
        const where = `parameters[${index}]`;
        if (!isObject(parameter)) {
          problems.add(`${where} must be an object`);
          return;
        }
        if (
          typeof parameter.name !== 'string' ||
          !PARAMETER_NAME.test(parameter.name)
        ) {
          problems.add(`${where}.name is required and must be an identifier`);
        }
        if (
          parameter.value !== undefined &&
          parameter.value !== null &&
          typeof parameter.value !== 'string'
        ) {
          problems.add(`${where}.value must be a string or null`);
        }
        if (
          parameter.type !== undefined &&
          typeof parameter.type !== 'string'
        ) {
          problems.add(`${where}.type must be a string`);
        }
      });
    }
  }
  if (
    typeof body.statement === 'string' &&
    /\?/.test(withoutStringLiterals(body.statement))
  ) {
    problems.add(
      'positional parameter markers (?) are not supported by the Statement Execution API',
    );
  }
  return problems;
}

function withoutStringLiterals(statement: string): string {
  return statement.replace(/'(?:[^']|'')*'/g, "''");
}

/** Named markers (`:name`) of a statement that no parameter binds: such a statement fails to run. */
export function unboundMarkers(body: Json): string[] {
  const names = new Set(
    (Array.isArray(body.parameters) ? body.parameters : [])
      .filter(isObject)
      .map(p => p.name),
  );
  const text = withoutStringLiterals(String(body.statement ?? ''));
  const markers = [...text.matchAll(/(?<!:):([A-Za-z_][A-Za-z0-9_]*)/g)].map(
    m => m[1],
  );
  return [...new Set(markers)].filter(name => !names.has(name));
}

/** `jobs/runs/list` query parameters (Jobs API 2.2): integers in range, booleans, one run type. */
export function validateListRuns(query: URLSearchParams): Problems {
  const problems = new Problems();
  const integer = (name: string, min: number, max?: number) => {
    const value = query.get(name);
    if (value === null) return;
    const number = /^\d+$/.test(value) ? Number(value) : NaN;
    if (
      !Number.isSafeInteger(number) ||
      number < min ||
      (max !== undefined && number > max)
    ) {
      problems.add(
        max === undefined
          ? `${name} must be an integer of at least ${min}`
          : `${name} must be an integer between ${min} and ${max}`,
      );
    }
  };
  integer('job_id', 1);
  integer('start_time_from', 0);
  integer('start_time_to', 0);
  integer('offset', 0);
  integer('limit', 0, 25);
  for (const name of ['active_only', 'completed_only', 'expand_tasks']) {
    const value = query.get(name);
    if (value !== null && value !== 'true' && value !== 'false') {
      problems.add(`${name} must be true or false`);
    }
  }
  if (
    query.get('active_only') === 'true' &&
    query.get('completed_only') === 'true'
  ) {
    problems.add('active_only and completed_only cannot both be true');
  }
  const runType = query.get('run_type');
  if (
    runType !== null &&
    !['JOB_RUN', 'WORKFLOW_RUN', 'SUBMIT_RUN'].includes(runType)
  ) {
    problems.add('run_type must be one of JOB_RUN, WORKFLOW_RUN, SUBMIT_RUN');
  }
  return problems;
}
