/**
 * Builders for the log formats a redactor meets in practice: pino JSON, nginx access logs,
 * syslog, logfmt and multi-line stack traces. Each builder can embed a phrase (a secret or a
 * trap) where such text really shows up in that format. The clock is simulated so output
 * depends on the seed only.
 */
import type { Rng } from './prng.js';
import { uuid } from './secrets.js';

/** 2025-11-24T00:00:00Z: a fixed start so the corpus never depends on the wall clock. */
const EPOCH_MS = 1_763_942_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const MESSAGES = [
  'request completed',
  'incoming request',
  'cache miss, loading from database',
  'user signed in',
  'job finished',
  'retrying upstream call',
  'connection pool resized',
  'feature flag evaluated',
  'payment authorised',
  'webhook delivered',
  'rate limit reached for tenant',
  'slow query detected',
  'scheduled task started',
  'config reloaded',
  'health check ok',
];

// Non-ASCII text as real services emit it: accents, CJK, Cyrillic, emoji (4-byte UTF-8).
const MESSAGES_UNICODE = [
  'Café crème commandé par José',
  'ユーザーがログインしました',
  '处理请求失败，正在重试',
  'Ошибка соединения с базой данных',
  'Größe überschritten für Datei «bericht.pdf»',
  '🚀 deploy finished ✅',
  '사용자 세션이 만료되었습니다',
  'Zażółć gęślą jaźń — test kodowania',
];

const PATHS = [
  '/api/v1/users/{id}',
  '/api/v1/orders/{id}/items',
  '/api/v2/search',
  '/healthz',
  '/static/app.{id}.js',
  '/login',
  '/api/v1/invoices/{id}/pdf',
  '/metrics',
];
const METHODS: readonly (readonly [string, number])[] = [
  ['GET', 70],
  ['POST', 18],
  ['PUT', 5],
  ['DELETE', 3],
  ['PATCH', 4],
];
const STATUSES: readonly (readonly [number, number])[] = [
  [200, 80],
  [201, 5],
  [204, 3],
  [301, 2],
  [304, 3],
  [400, 2],
  [401, 1],
  [404, 3],
  [500, 1],
];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
  'curl/8.5.0',
  'kube-probe/1.30',
  'python-requests/2.32.3',
  'Go-http-client/2.0',
];
const SYSLOG_PROGRAMS: readonly (readonly [string, readonly string[]])[] = [
  [
    'sshd',
    [
      'Accepted publickey for deploy from 10.0.{n}.{n} port {port} ssh2',
      'Connection closed by 10.2.{n}.{n} port {port} [preauth]',
    ],
  ],
  ['systemd', ['Started Daily apt download activities.', 'Starting Cleanup of Temporary Directories...']],
  [
    'kernel',
    [
      '[{port}.{n}] eth0: link up, 10Gbps, full duplex',
      'TCP: request_sock_TCP: Possible SYN flooding on port {port}.',
    ],
  ],
  ['CRON', ['(root) CMD (/usr/local/bin/backup.sh --incremental)']],
  ['dockerd', ['time="{iso}" level=info msg="ignoring event" container={hex} module=libcontainerd']],
  [
    'postgres',
    [
      'LOG:  checkpoint complete: wrote {n} buffers ({n}.{n}%)',
      'LOG:  duration: {n}.{n} ms  statement: SELECT 1',
    ],
  ],
];
const SERVICES = ['api', 'billing', 'search', 'auth', 'notifier', 'ingest'];
const NODE_FUNCS = [
  'handleRequest',
  'processTicksAndRejections',
  'Router.dispatch',
  'query',
  'Socket.emit',
  'next',
];
const NODE_FILES = [
  'src/server.js',
  'src/db/pool.js',
  'node_modules/express/lib/router/index.js',
  'src/jobs/sync.js',
];
const JAVA_CLASSES = ['OrderService', 'PaymentClient', 'UserRepository', 'HttpHandler', 'RetryTemplate'];
const JAVA_PKGS = ['com.acme.orders', 'com.acme.billing', 'org.springframework.web', 'io.netty.channel'];
const ERRORS_NODE = [
  'TypeError: Cannot read properties of undefined',
  'Error: connect ECONNREFUSED 10.0.3.7:5432',
];
const ERRORS_JAVA = [
  'java.lang.IllegalStateException',
  'java.net.SocketTimeoutException',
  'java.lang.NullPointerException',
];

export class LogFormats {
  private clockMs = EPOCH_MS;
  private readonly hosts: readonly { name: string; pid: number }[];

  constructor(private readonly rng: Rng) {
    this.hosts = Array.from({ length: 6 }, () => ({
      name: `${rng.pick(SERVICES)}-${rng.hex(10)}-${rng.base62(5).toLowerCase()}`,
      pid: rng.range(7, 65_000),
    }));
  }

  /** Moves the simulated clock forward; lines are a few milliseconds apart. */
  tick(): number {
    this.clockMs += this.rng.int(25);
    return this.clockMs;
  }

  message(): string {
    return this.rng.chance(0.06) ? this.rng.pick(MESSAGES_UNICODE) : this.rng.pick(MESSAGES);
  }

  /** A pino line; `embed` goes into `msg` or a `detail` field, `longPayload` adds several KB. */
  pino(embed?: string, longPayload = false): string {
    const rng = this.rng;
    const host = rng.pick(this.hosts);
    const rec: Record<string, unknown> = {
      level: rng.weighted([
        [30, 80],
        [20, 8],
        [40, 8],
        [50, 4],
      ]),
      time: this.tick(),
      pid: host.pid,
      hostname: host.name,
      reqId: uuid(rng),
    };
    let msg = this.message();
    if (rng.chance(0.5)) {
      rec.req = {
        method: rng.weighted(METHODS),
        url: this.path(),
        headers: { host: 'api.acme.io', 'user-agent': rng.pick(AGENTS), accept: 'application/json' },
        remoteAddress: this.ip(),
        remotePort: rng.range(1024, 65_535),
      };
      rec.res = { statusCode: rng.weighted(STATUSES) };
      rec.responseTime = Math.round(rng.next() * 50_000) / 100;
    }
    if (embed !== undefined) {
      if (rng.chance(0.6)) msg = `${msg}: ${embed}`;
      else rec.detail = embed;
    }
    if (longPayload) rec.payload = this.payload(rng.range(2_000, 16_000));
    rec.msg = msg;
    return JSON.stringify(rec);
  }

  /** An nginx "combined" access-log line; `query` is appended to the request path. */
  nginx(query?: string): string {
    const rng = this.rng;
    const d = new Date(this.tick());
    const stamp = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${clock(d)} +0000`;
    let path = this.path();
    if (rng.chance(0.3)) path += `?page=${rng.range(1, 40)}&sort=${rng.pick(['asc', 'desc'])}`;
    if (query !== undefined) path += `${path.includes('?') ? '&' : '?'}${query}`;
    const referer = rng.chance(0.7) ? '-' : `https://www.acme.io${this.path()}`;
    return `${this.ip()} - - [${stamp}] "${rng.weighted(METHODS)} ${path} HTTP/1.1" ${rng.weighted(STATUSES)} ${rng.range(0, 80_000)} "${referer}" "${rng.pick(AGENTS)}" ${(rng.next() * 2).toFixed(3)}`;
  }

  /** A BSD syslog line as journald or rsyslog forwards it. */
  syslog(embed?: string): string {
    const rng = this.rng;
    const d = new Date(this.tick());
    const [program, templates] = rng.pick(SYSLOG_PROGRAMS);
    let msg = this.fill(rng.pick(templates), d);
    if (embed !== undefined) msg = `${program === 'postgres' ? 'LOG:  ' : ''}${this.message()} ${embed}`;
    const day = String(d.getUTCDate()).padStart(2, ' ');
    return `${MONTHS[d.getUTCMonth()]} ${day} ${clock(d)} ${rng.pick(this.hosts).name} ${program}[${rng.range(100, 40_000)}]: ${msg}`;
  }

  /** A logfmt line (Go services, Heroku); `embed` becomes a quoted `detail` field. */
  logfmt(embed?: string): string {
    const rng = this.rng;
    const iso = new Date(this.tick()).toISOString();
    let line = `time=${iso} level=${rng.pick(['info', 'info', 'info', 'debug', 'warn', 'error'])} msg=${quote(this.message())} service=${rng.pick(SERVICES)} trace_id=${rng.hex(32)} duration_ms=${(rng.next() * 300).toFixed(2)}`;
    if (rng.chance(0.4))
      line += ` user_id=${rng.range(1, 999_999)} tenant=${rng.pick(['acme', 'globex', 'initech'])}`;
    if (embed !== undefined) line += ` detail=${quote(embed)}`;
    return line;
  }

  /** A Node or Java stack trace of `frames` frames; `embed` lands in the error message. */
  stack(frames: number, embed?: string): string[] {
    const rng = this.rng;
    const lines: string[] = [];
    const suffix = embed === undefined ? '' : `: ${embed}`;
    if (rng.chance(0.5)) {
      lines.push(`${rng.pick(ERRORS_NODE)}${suffix}`);
      for (let i = 0; i < frames; i++) {
        lines.push(
          `    at ${rng.pick(NODE_FUNCS)} (/app/${rng.pick(NODE_FILES)}:${rng.range(1, 900)}:${rng.range(1, 80)})`,
        );
      }
    } else {
      lines.push(`${rng.pick(ERRORS_JAVA)}${suffix === '' ? `: ${this.message()}` : suffix}`);
      for (let i = 0; i < frames; i++) {
        if (i === frames - 1 && frames > 4) {
          lines.push(`\t... ${rng.range(3, 40)} more`);
          break;
        }
        const cls = rng.pick(JAVA_CLASSES);
        lines.push(
          `\tat ${rng.pick(JAVA_PKGS)}.${cls}.${rng.pick(['run', 'invoke', 'doFilter', 'call', 'apply'])}(${cls}.java:${rng.range(10, 700)})`,
        );
      }
    }
    return lines;
  }

  private payload(bytes: number): { items: unknown[] } {
    const items: unknown[] = [];
    let size = 0;
    while (size < bytes) {
      const item = {
        id: uuid(this.rng),
        sku: `SKU-${this.rng.base62(8).toUpperCase()}`,
        qty: this.rng.range(1, 20),
        price: Math.round(this.rng.next() * 100_000) / 100,
        name: this.message(),
      };
      items.push(item);
      size += 120;
    }
    return { items };
  }

  private path(): string {
    return this.rng.pick(PATHS).replace('{id}', String(this.rng.range(1, 9_999_999)));
  }

  private ip(): string {
    const r = this.rng;
    return `${r.pick([10, 172, 192, 203])}.${r.int(256)}.${r.int(256)}.${r.range(1, 254)}`;
  }

  private fill(template: string, d: Date): string {
    return template
      .replace(/\{n\}/g, () => String(this.rng.int(256)))
      .replace(/\{port\}/g, () => String(this.rng.range(1024, 65_535)))
      .replace(/\{hex\}/g, () => this.rng.hex(64))
      .replace(/\{iso\}/g, () => d.toISOString());
  }
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function clock(d: Date): string {
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** logfmt quoting: always quoted, backslash and quote escaped. */
function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
