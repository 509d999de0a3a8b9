-- Matching, webhook bookkeeping and background-job tables.

create table if not exists public.candidates (
  id text primary key,
  status text not null default 'active' check (status in ('active', 'paused', 'deleted')),
  created_at timestamptz not null default now()
);

create table if not exists public.jobs (
  id text primary key,
  title text not null,
  posted_at timestamptz not null default now()
);

create table if not exists public.match_runs (
  id uuid primary key default gen_random_uuid(),
  candidate_id text not null references public.candidates (id),
  job_ids text[] not null,
  results jsonb not null default '[]'::jsonb,
  source text not null check (source in ('ai-engine', 'fallback')),
  created_at timestamptz not null default now()
);
create index if not exists match_runs_candidate_idx on public.match_runs (candidate_id, created_at desc);

-- One row per webhook event id: the unique constraint is the idempotency guard.
create table if not exists public.processed_events (
  event_id text primary key,
  type text not null,
  source text not null,
  processed_at timestamptz not null default now()
);

create table if not exists public.digest_emails (
  id bigserial primary key,
  candidate_id text not null references public.candidates (id),
  top_job_ids text[] not null,
  idempotency_key text not null unique,
  sent_at timestamptz
);

-- Generic work queue drained by the worker; producers must set idempotency_key.
create table if not exists public.job_queue (
  id bigserial primary key,
  type text not null,
  payload jsonb not null,
  status text not null default 'pending',
  idempotency_key text unique,
  attempts int not null default 0,
  created_at timestamptz not null default now()
);

create table if not exists public.job_locks (
  lock_name text primary key,
  expires_at timestamptz not null
);

create or replace function public.try_acquire_job_lock(lock_name text, ttl_seconds int)
returns boolean language plpgsql as $$
begin
  delete from public.job_locks l where l.lock_name = try_acquire_job_lock.lock_name and l.expires_at < now();
  insert into public.job_locks (lock_name, expires_at)
  values (try_acquire_job_lock.lock_name, now() + make_interval(secs => ttl_seconds));
  return true;
exception when unique_violation then
  return false;
end;
$$;

create or replace function public.release_job_lock(lock_name text)
returns void language sql as $$
  delete from public.job_locks l where l.lock_name = release_job_lock.lock_name;
$$;
