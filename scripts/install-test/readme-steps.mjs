// Applies the install steps of the plugin READMEs to a portal, so the install test does exactly
// what the READMEs say. A step is a fenced code block right after a marker line:
//
//   <!-- install-test: sh -->       the commands, run in the portal's root
//   <!-- install-test: backend -->  TypeScript for packages/backend/src/index.ts: `import` lines go
//                                   to the top, the rest before `backend.start();`; a `diff` block
//                                   replaces its `-` lines with its `+` lines
//   <!-- install-test: config -->   YAML merged into the portal's app-config.yaml
//   <!-- install-test: edit FILE --> a `diff` block applied to FILE (relative to the portal): each
//                                   hunk (hunks start at `@@` lines) has its context (` `, or an
//                                   empty line) and `-` lines replaced by its context and `+`
//                                   lines; the old text must occur exactly once
//
// A marker `<!-- install-test[legacy]: ... -->` or `<!-- install-test[new]: ... -->` is a step of
// that frontend system only; INSTALL_TEST_FRONTEND (new, the default, or legacy) chooses.
//
//   node readme-steps.mjs PORTAL_DIR README...
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const YAML = require('yaml');

const [portal, ...readmes] = process.argv.slice(2);
const indexFile = path.join(portal, 'packages/backend/src/index.ts');
const configFile = path.join(portal, 'app-config.yaml');

const frontend = process.env.INSTALL_TEST_FRONTEND ?? 'new';

/** The marked steps of a README for `frontend`, in order: { kind, target, lang, body }. */
export function stepsOf(markdown) {
  const steps = [];
  const re =
    /<!-- install-test(?:\[(\w+)\])?: (\w+)(?: (\S+))? -->\s*\n```(\w*)\n([\s\S]*?)\n```/g;
  for (let m; (m = re.exec(markdown)); ) {
    if (m[1] && m[1] !== frontend) continue;
    steps.push({ kind: m[2], target: m[3], lang: m[4], body: m[5] });
  }
  return steps;
}

function editFile(target, body) {
  const file = path.join(portal, target);
  let text = fs.readFileSync(file, 'utf8');
  const hunks = [[]];
  for (const line of body.split('\n')) {
    if (line.startsWith('@@')) hunks.push([]);
    else hunks[hunks.length - 1].push(line);
  }
  for (const hunk of hunks.filter(h => h.length > 0)) {
    const old = hunk
      .filter(l => !l.startsWith('+'))
      .map(l => l.slice(1))
      .join('\n');
    const replacement = hunk
      .filter(l => !l.startsWith('-'))
      .map(l => l.slice(1))
      .join('\n');
    const at = text.indexOf(old);
    if (at < 0 || text.indexOf(old, at + 1) >= 0) {
      throw new Error(
        `${target} contains ${at < 0 ? 'no' : 'more than one'}:\n${old}`,
      );
    }
    text = text.slice(0, at) + replacement + text.slice(at + old.length);
  }
  fs.writeFileSync(file, text);
}

function addToBackend(body) {
  let index = fs.readFileSync(indexFile, 'utf8');
  const lines = body.split('\n').filter(l => !/^\s*\/\//.test(l));
  const imports = lines.filter(l => l.startsWith('import '));
  const rest = lines
    .filter(l => !l.startsWith('import '))
    .join('\n')
    .trim();
  if (!index.includes('backend.start();')) {
    throw new Error(`${indexFile} has no backend.start();`);
  }
  index = index.replace('backend.start();', `${rest}\n\nbackend.start();`);
  index = `${imports.join('\n')}${imports.length ? '\n' : ''}${index}`;
  fs.writeFileSync(indexFile, index);
}

function patchBackend(body) {
  const lines = body.split('\n').filter(l => !/^ ?\s*\/\//.test(l));
  const removed = lines.filter(l => l.startsWith('-')).map(l => l.slice(1));
  const added = lines.filter(l => l.startsWith('+')).map(l => l.slice(1));
  let index = fs.readFileSync(indexFile, 'utf8');
  const old = removed.join('\n');
  if (!index.includes(old)) {
    throw new Error(`${indexFile} does not contain:\n${old}`);
  }
  const imports = added.filter(l => l.startsWith('import '));
  const code = added.filter(l => !l.startsWith('import '));
  index = index.replace(old, code.join('\n'));
  fs.writeFileSync(indexFile, `${imports.join('\n')}\n${index}`);
}

function mergeConfig(body) {
  const doc = YAML.parseDocument(fs.readFileSync(configFile, 'utf8'));
  const add = YAML.parse(body);
  const merge = (at, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      if (at.length > 0 && !YAML.isMap(doc.getIn(at))) {
        doc.setIn(at, doc.createNode({}));
      }
      for (const [k, v] of Object.entries(value)) merge([...at, k], v);
    } else {
      doc.setIn(at, doc.createNode(value));
    }
  };
  merge([], add);
  fs.writeFileSync(configFile, doc.toString());
}

for (const readme of readmes) {
  const steps = stepsOf(fs.readFileSync(readme, 'utf8'));
  if (steps.length === 0)
    throw new Error(`${readme} has no install-test steps`);
  for (const step of steps) {
    console.log(
      `\n## ${path.relative(process.cwd(), readme)}: ${step.kind}${
        step.target ? ` ${step.target}` : ''
      }\n${step.body}`,
    );
    if (step.kind === 'sh') {
      for (const command of step.body
        .split('\n')
        .filter(l => l && !l.startsWith('#'))) {
        execSync(command, { cwd: portal, stdio: 'inherit' });
      }
    } else if (step.kind === 'backend') {
      if (step.lang === 'diff') patchBackend(step.body);
      else addToBackend(step.body);
    } else if (step.kind === 'config') {
      mergeConfig(step.body);
    } else if (step.kind === 'edit' && step.target && step.lang === 'diff') {
      editFile(step.target, step.body);
    } else {
      throw new Error(`${readme}: unknown install-test step '${step.kind}'`);
    }
  }
}
