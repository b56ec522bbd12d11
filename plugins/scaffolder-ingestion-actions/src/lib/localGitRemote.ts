import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import git from 'isomorphic-git';

const ZERO_OID = '0000000000000000000000000000000000000000';
const OID = /^[0-9a-f]{40}$/;
const BRANCH_REF = /^refs\/heads\/[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;
/** Largest push accepted: generated pipeline repositories are a few hundred kilobytes. */
const MAX_PUSH_BYTES = 256 * 1024 * 1024;
const AGENT = 'agent=ingestion-for-backstage';
/**
 * `report-status`: the client learns per ref whether it was updated; isomorphic-git reads that report
 * only from side band 1 (`side-band-64k`). `no-thin`: every pack must be self-contained, so it can be
 * indexed without the repository's other objects.
 */
const CAPABILITIES = `report-status side-band-64k no-thin ${AGENT}`;
/** Largest side-band payload: 65520 bytes per packet, less the length and the band byte. */
const SIDE_BAND_CHUNK = 65515;

function pktLine(text: string): Buffer {
  return pktBytes(Buffer.from(text, 'utf8'));
}

const FLUSH = Buffer.from('0000', 'ascii');

function pktBytes(payload: Buffer): Buffer {
  const length = (payload.length + 4).toString(16).padStart(4, '0');
  return Buffer.concat([Buffer.from(length, 'ascii'), payload]);
}

/** Wraps a pkt-line stream in side band 1 packets, followed by a flush. */
function sideBand(stream: Buffer): Buffer {
  const packets: Buffer[] = [];
  for (let offset = 0; offset < stream.length; offset += SIDE_BAND_CHUNK) {
    const chunk = stream.subarray(offset, offset + SIDE_BAND_CHUNK);
    packets.push(pktBytes(Buffer.concat([Buffer.from([1]), chunk])));
  }
  packets.push(FLUSH);
  return Buffer.concat(packets);
}

/** Whether a bare repository exists at `gitdir` and has at least one branch. */
export async function bareRepositoryState(
  gitdir: string,
): Promise<'absent' | 'empty' | 'has-commits'> {
  if (!fs.existsSync(path.join(gitdir, 'HEAD'))) {
    return fs.existsSync(gitdir) && fs.readdirSync(gitdir).length > 0
      ? 'has-commits' // something else lives there: never overwrite it
      : 'absent';
  }
  const branches = await git.listBranches({ fs, gitdir });
  return branches.length > 0 ? 'has-commits' : 'empty';
}

/** Creates a bare repository whose HEAD names `defaultBranch` (nothing happens if it exists). */
export async function initBareRepository(
  gitdir: string,
  defaultBranch: string,
): Promise<void> {
  await fs.promises.mkdir(gitdir, { recursive: true });
  await git.init({ fs, dir: gitdir, bare: true, defaultBranch });
}

async function advertisement(gitdir: string): Promise<Buffer> {
  const lines: Buffer[] = [pktLine('# service=git-receive-pack\n'), FLUSH];
  const refs: Array<[string, string]> = [];
  for (const branch of (await git.listBranches({ fs, gitdir })).sort()) {
    const ref = `refs/heads/${branch}`;
    refs.push([ref, await git.resolveRef({ fs, gitdir, ref })]);
  }
  if (refs.length === 0) {
    lines.push(pktLine(`${ZERO_OID} capabilities^{}\0${CAPABILITIES}\n`));
  } else {
    refs.forEach(([ref, oid], index) =>
      lines.push(
        pktLine(
          index === 0 ? `${oid} ${ref}\0${CAPABILITIES}\n` : `${oid} ${ref}\n`,
        ),
      ),
    );
  }
  lines.push(FLUSH);
  return Buffer.concat(lines);
}

interface Command {
  oldOid: string;
  newOid: string;
  ref: string;
}

/** Splits a receive-pack request into its ref update commands and the packfile after them. */
function parseRequest(body: Buffer): {
  commands: Command[];
  capabilities: string[];
  pack: Buffer;
} {
  const commands: Command[] = [];
  let capabilities: string[] = [];
  let offset = 0;
  for (;;) {
    if (offset + 4 > body.length) {
      throw new Error('truncated request');
    }
    const length = parseInt(
      body.subarray(offset, offset + 4).toString('ascii'),
      16,
    );
    if (Number.isNaN(length) || (length > 0 && length < 4)) {
      throw new Error('malformed pkt-line');
    }
    if (length === 0) {
      offset += 4;
      break;
    }
    const line = body
      .subarray(offset + 4, offset + length)
      .toString('utf8')
      .replace(/\n$/, '');
    offset += length;
    const [command, caps] = line.split('\0');
    if (commands.length === 0 && caps) {
      capabilities = caps.trim().split(' ');
    }
    const [oldOid, newOid, ref] = command.split(' ');
    if (!OID.test(oldOid ?? '') || !OID.test(newOid ?? '') || !ref) {
      throw new Error(`malformed command "${command}"`);
    }
    commands.push({ oldOid, newOid, ref });
  }
  return { commands, capabilities, pack: body.subarray(offset) };
}

async function currentOid(gitdir: string, ref: string): Promise<string> {
  try {
    return await git.resolveRef({ fs, gitdir, ref });
  } catch {
    return ZERO_OID;
  }
}

/**
 * Moves a ref from `oldOid` to `newOid` the way git does: take `<ref>.lock` exclusively, check that
 * the ref still has the value the client saw, then rename the lock over the ref.
 */
async function updateRef(
  gitdir: string,
  command: Command,
): Promise<string | undefined> {
  const refPath = path.join(gitdir, ...command.ref.split('/'));
  const lockPath = `${refPath}.lock`;
  await fs.promises.mkdir(path.dirname(refPath), { recursive: true });
  let lock: fs.promises.FileHandle;
  try {
    lock = await fs.promises.open(lockPath, 'wx');
  } catch {
    return 'failed to lock';
  }
  try {
    const current = await currentOid(gitdir, command.ref);
    if (current !== command.oldOid) {
      return 'fetch first';
    }
    if (current === command.newOid) {
      return undefined; // a retried push that already landed
    }
    if (
      current !== ZERO_OID &&
      !(await git.isDescendent({
        fs,
        gitdir,
        oid: command.newOid,
        ancestor: current,
        depth: -1,
      }))
    ) {
      return 'non-fast-forward';
    }
    await lock.writeFile(`${command.newOid}\n`);
    await lock.close();
    await fs.promises.rename(lockPath, refPath);
    return undefined;
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  } finally {
    await lock.close().catch(() => {});
    await fs.promises.rm(lockPath, { force: true });
  }
}

async function receive(gitdir: string, body: Buffer): Promise<Buffer> {
  const { commands, capabilities, pack } = parseRequest(body);
  let unpack = 'ok';
  if (pack.length > 0) {
    try {
      if (
        pack.subarray(0, 4).toString('ascii') !== 'PACK' ||
        pack.length < 32
      ) {
        throw new Error('not a packfile');
      }
      // Packs are named after their trailing SHA-1, as git names them.
      const name = pack.subarray(pack.length - 20).toString('hex');
      const expected = createHash('sha1')
        .update(pack.subarray(0, pack.length - 20))
        .digest('hex');
      if (name !== expected) {
        throw new Error('packfile checksum mismatch');
      }
      const packDir = path.join(gitdir, 'objects', 'pack');
      await fs.promises.mkdir(packDir, { recursive: true });
      const file = `pack-${name}.pack`;
      await fs.promises.writeFile(path.join(packDir, file), pack);
      await git.indexPack({
        fs,
        dir: gitdir,
        gitdir,
        filepath: path.join('objects', 'pack', file),
      });
    } catch (error) {
      unpack = `error ${(error as Error).message}`;
    }
  }
  const report: Buffer[] = [pktLine(`unpack ${unpack}\n`)];
  for (const command of commands) {
    let failure: string | undefined;
    if (unpack !== 'ok') {
      failure = 'unpacker error';
    } else if (!BRANCH_REF.test(command.ref)) {
      failure = 'only branches can be pushed';
    } else if (command.newOid === ZERO_OID) {
      failure = 'deleting branches is not allowed';
    } else {
      try {
        await git.readCommit({ fs, gitdir, oid: command.newOid });
        failure = await updateRef(gitdir, command);
      } catch {
        failure = 'missing necessary objects';
      }
    }
    report.push(
      pktLine(
        failure ? `ng ${command.ref} ${failure}\n` : `ok ${command.ref}\n`,
      ),
    );
  }
  report.push(FLUSH);
  const result = Buffer.concat(report);
  return capabilities.includes('side-band-64k') ? sideBand(result) : result;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PUSH_BYTES) {
        reject(new Error(`push larger than ${MAX_PUSH_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A git remote for one bare repository, served over smart HTTP on the loopback interface. */
export interface LocalGitRemote {
  /** `http://127.0.0.1:<port>/<one-time secret>/repo.git` */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the receive side of git's smart HTTP protocol for one bare repository, so git clients that
 * only speak HTTP (the scaffolder's isomorphic-git helpers) can push to a repository on disk. It
 * listens on 127.0.0.1 on a free port under a random path for as long as the push takes; only
 * branch updates that fast-forward (or create a branch) are accepted.
 */
export async function serveBareRepository(
  gitdir: string,
): Promise<LocalGitRemote> {
  const base = `/${randomBytes(24).toString('hex')}/repo.git`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reply = (status: number, type: string, body: Buffer | string) => {
      res.writeHead(status, {
        'Content-Type': type,
        'Cache-Control': 'no-cache',
      });
      res.end(body);
    };
    (async () => {
      if (
        req.method === 'GET' &&
        url.pathname === `${base}/info/refs` &&
        url.searchParams.get('service') === 'git-receive-pack'
      ) {
        reply(
          200,
          'application/x-git-receive-pack-advertisement',
          await advertisement(gitdir),
        );
      } else if (
        req.method === 'POST' &&
        url.pathname === `${base}/git-receive-pack`
      ) {
        const body = await readBody(req);
        reply(
          200,
          'application/x-git-receive-pack-result',
          await receive(gitdir, body),
        );
      } else {
        reply(404, 'text/plain', 'Not found');
      }
    })().catch(error => {
      if (!res.headersSent) {
        reply(500, 'text/plain', String((error as Error).message));
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
