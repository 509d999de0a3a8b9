"""Schedules and queues in JS/TS: node-cron, cron, setInterval, BullMQ, queue tables."""

from __future__ import annotations

from pathlib import Path

from analyzers.extract import SourceFile
from analyzers.facts import Location, QueueJob, RetryPolicy, ScheduledJob
from analyzers.javascript import JavaScriptExtractor
from tests.analyzers.javascript.facts import facts_of

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "marketplace" / "head"


def schedule(source: str, path: str = "svc/src/jobs.ts") -> ScheduledJob:
    found = facts_of(ScheduledJob, path, source)
    assert len(found) == 1, found
    return found[0]


def queue_jobs(source: str, path: str = "svc/src/queues.ts") -> list[QueueJob]:
    return facts_of(QueueJob, path, source)


NODE_CRON = """
import cron from 'node-cron';
STATE
async function rescore() {
BODY
}

export function start() {
  cron.schedule('*/5 * * * *', () => { rescore().catch(console.error); }OPTIONS);
}
"""


def node_cron(body: str, state: str = "", options: str = "") -> ScheduledJob:
    return schedule(
        NODE_CRON.replace("STATE", state).replace("BODY", body).replace("OPTIONS", options)
    )


def test_node_cron_without_a_guard() -> None:
    job = node_cron("  await run();")
    assert (job.system, job.schedule) == ("node-cron", "*/5 * * * *")
    # Named after the function the callback runs, located on the schedule call.
    assert job.name == "svc.src.jobs.rescore"
    assert job.location == Location("svc/src/jobs.ts", 8, 8)
    assert job.overlap_guard is False and job.in_process is True


def test_node_cron_guards() -> None:
    flag = "  if (running) return;\n  running = true;\n  await run();\n  running = false;"
    assert node_cron(flag, "let running = false;").overlap_guard is True
    lock = "  const got = await redis.set('lock:rescore', '1', 'NX');\n  if (got) await run();"
    assert node_cron(lock).overlap_guard is True
    advisory = "  await db.query('select pg_try_advisory_lock(42)');\n  await run();"
    assert node_cron(advisory).overlap_guard is True
    assert node_cron("  await run();", options=", { noOverlap: true }").overlap_guard is True
    # A flag made inside the run is false on every tick, and a comment takes no lock.
    local = "  let running = false;\n  if (running) return;\n  running = true;\n  await run();"
    assert node_cron(local).overlap_guard is False
    assert node_cron("  // TODO: take a redis lock here\n  await run();").overlap_guard is False


def test_the_example_jobs() -> None:
    facts = {}
    for name in ("nightly-digest", "weekly-rescore"):
        path = f"services/core-api/src/jobs/{name}.ts"
        text = (EXAMPLE / path).read_text(encoding="utf-8")
        facts[name] = JavaScriptExtractor().extract(
            SourceFile(path, "core-api", "typescript", text)
        )
    (digest,) = [f for f in facts["nightly-digest"] if isinstance(f, ScheduledJob)]
    assert digest.overlap_guard is True  # running flag + try_acquire_job_lock in runNightlyDigest
    assert digest.name == "services.core-api.src.jobs.nightly-digest.runNightlyDigest"
    assert [f for f in facts["nightly-digest"] if isinstance(f, QueueJob)] == []
    (rescore,) = [f for f in facts["weekly-rescore"] if isinstance(f, ScheduledJob)]
    assert (rescore.schedule, rescore.overlap_guard, rescore.in_process) == (
        "0 3 * * 0",
        False,
        True,
    )
    assert rescore.location.line == 35
    (queued,) = [f for f in facts["weekly-rescore"] if isinstance(f, QueueJob)]
    assert (queued.role, queued.system, queued.name) == ("producer", "table", "job_queue")
    assert queued.idempotency_key is False and queued.location.line == 26


def test_cron_package() -> None:
    job = schedule(
        """
        import { CronJob } from 'cron';
        const job = new CronJob('0 */2 * * *', async () => { await sync(); }, null, true, 'UTC');
        """
    )
    assert (job.system, job.schedule, job.overlap_guard, job.in_process) == (
        "cron",
        "0 */2 * * *",
        False,
        True,
    )
    waited = schedule(
        """
        import { CronJob } from 'cron';
        CronJob.from({ cronTime: '0 * * * *', onTick: sync, start: true, waitForCompletion: true });
        async function sync() { await pull(); }
        """
    )
    assert waited.overlap_guard is True and waited.name == "svc.src.jobs.sync"


def test_set_interval_pollers() -> None:
    job = schedule(
        """
        const POLL_MS = 10_000;
        export function start() {
          setInterval(async () => { await drain(); }, POLL_MS);
        }
        """
    )
    assert (job.system, job.schedule, job.overlap_guard) == ("setInterval", "every 10000 ms", False)
    guarded = schedule(
        """
        let busy = false;
        export function start() {
          setInterval(async () => {
            if (busy) return;
            busy = true;
            try { await drain(); } finally { busy = false; }
          }, 5000);
        }
        """
    )
    assert guarded.overlap_guard is True
    # A synchronous callback cannot overlap itself; browser timers are not service schedules.
    assert (
        facts_of(ScheduledJob, "svc/src/a.ts", "setInterval(() => { cache.clear(); }, 1000);") == []
    )
    browser = "'use client';\nsetInterval(async () => { await refetch(); }, 1000);\n"
    assert facts_of(ScheduledJob, "web/src/poll.ts", browser) == []
    assert facts_of(ScheduledJob, "web/src/Poll.tsx", browser.split("\n", 1)[1]) == []


BULLMQ = """
import { Queue, Worker } from 'bullmq';

const emails = new Queue('emails', { connection, defaultJobOptions: DEFAULTS });

export async function send(orderId: string) {
  await emails.add('receipt', { orderId }OPTIONS);
}
"""


def bullmq(options: str = "", defaults: str = "{}") -> QueueJob:
    (job,) = queue_jobs(BULLMQ.replace("OPTIONS", options).replace("DEFAULTS", defaults))
    return job


def test_bullmq_producers() -> None:
    plain = bullmq()
    assert (plain.role, plain.system, plain.name) == ("producer", "bullmq", "emails:receipt")
    assert plain.retry is None and plain.idempotency_key is False and plain.dead_letter is None
    keyed = bullmq(
        ", { jobId: `r:${orderId}`, attempts: 5, backoff: { type: 'exponential', delay: 1000 } }"
    )
    assert keyed.idempotency_key is True
    assert keyed.retry == RetryPolicy(5, True, False, "bullmq", True)
    fixed = bullmq(", { attempts: 3, backoff: 2000 }")
    assert fixed.retry == RetryPolicy(3, False, False, "bullmq", True)
    assert bullmq(", { deduplication: { id: orderId } }").idempotency_key is True
    # Queue defaults apply to every add; removeOnFail drops failures with nowhere to go.
    defaulted = bullmq(defaults="{ attempts: 4, removeOnFail: true }")
    assert defaulted.retry is not None and defaulted.retry.attempts == 4
    assert defaulted.dead_letter is False
    # Options from elsewhere: whether they carry a jobId is unknown, not absent.
    assert bullmq(", opts").idempotency_key is None


def test_bullmq_failed_listener_and_worker() -> None:
    source = (
        BULLMQ.replace("OPTIONS", ", { removeOnFail: true }").replace("DEFAULTS", "{}")
        + """
const worker = new Worker('emails', async (job) => {
  if (await redis.set(`done:${job.id}`, 1, 'NX')) await deliver(job.data);
}, { connection });
worker.on('failed', (job, err) => logger.error({ err, id: job?.id }, 'email failed'));
"""
    )
    producer, consumer = sorted(queue_jobs(source), key=lambda j: j.role, reverse=True)
    assert producer.role == "producer" and producer.dead_letter is True
    assert (consumer.role, consumer.system, consumer.name) == ("consumer", "bullmq", "emails")
    assert consumer.dead_letter is True and consumer.idempotency_key is True


def test_a_worker_module_that_imports_only_worker_is_read() -> None:
    # Nothing in it says "queue": the worker was missed when the family asked for that word.
    source = """
import { Worker } from 'bullmq';
import { sendMail } from './mail';

export const worker = new Worker('emails', async (job) => {
  await sendMail(job.data.userId, job.name);
}, { connection: { host: 'localhost', port: 6379 } });
"""
    (consumer,) = queue_jobs(source, "services/mailer/src/worker.ts")
    assert (consumer.role, consumer.system, consumer.name) == ("consumer", "bullmq", "emails")
    assert consumer.location == Location("services/mailer/src/worker.ts", 4, 6)


def test_bullmq_repeatable_jobs_are_schedules() -> None:
    source = BULLMQ.replace("OPTIONS", ", { repeat: { pattern: '0 * * * *' } }").replace(
        "DEFAULTS", "{}"
    )
    assert queue_jobs(source) == []
    job = schedule(source, "svc/src/queues.ts")
    assert (job.system, job.schedule, job.name, job.overlap_guard, job.in_process) == (
        "bullmq",
        "0 * * * *",
        "emails:receipt",
        None,
        False,
    )


def test_queue_imported_from_another_module() -> None:
    source = """
    import { emailQueue } from './queues';
    export async function onSignup(userId: string) {
      await emailQueue.add('welcome', { userId });
    }
    """
    (job,) = queue_jobs(source, "svc/src/signup.ts")
    assert (job.system, job.name, job.idempotency_key) == ("bullmq", "welcome", False)
    # p-queue's add takes a task, not a job name: not a job queue.
    assert (
        queue_jobs(
            "import PQueue from 'p-queue';\nconst queue = new PQueue();\nqueue.add(() => work());\n"
        )
        == []
    )


def test_queue_tables() -> None:
    source = """
    export async function enqueue(ids: string[]) {
      const rows = ids.map((id) => ({ type: 'sync', payload: { id } ROWKEY}));
      await supabase.from('sync_queue').WRITE;
    }
    """

    def table(write: str, key: str = "") -> QueueJob:
        (job,) = queue_jobs(source.replace("WRITE", write).replace("ROWKEY", key), "svc/src/q.ts")
        assert (job.system, job.name) == ("table", "sync_queue")
        return job

    assert table("insert(rows)").idempotency_key is False
    assert table("insert(rows)", ", idempotency_key: `sync:${id}` ").idempotency_key is True
    assert table("upsert(rows, { onConflict: 'dedupe_key' })").idempotency_key is True
    # Other tables are not queues.
    plain = (
        source.replace("sync_queue", "users").replace("WRITE", "insert(rows)").replace("ROWKEY", "")
    )
    assert queue_jobs(plain, "svc/src/q.ts") == []
