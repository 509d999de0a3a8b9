import { createClient, type SupabaseClient } from '@supabase/supabase-js';

const SUPABASE_URL = process.env.SUPABASE_URL ?? 'http://localhost:54321';
const SUPABASE_SERVICE_ROLE_KEY = process.env.SUPABASE_SERVICE_ROLE_KEY ?? '';

if (!process.env.SUPABASE_URL && process.env.NODE_ENV === 'production') {
  throw new Error('SUPABASE_URL must be set in production');
}

/**
 * Server-side client using the service role key. Bypasses RLS, so it must
 * never be exposed to the browser.
 */
export const supabase: SupabaseClient = createClient(SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY, {
  auth: { persistSession: false, autoRefreshToken: false },
  global: { headers: { 'x-client-info': 'marketplace-core-api' } },
});

/** Postgres error code for a unique constraint violation. */
export const UNIQUE_VIOLATION = '23505';
