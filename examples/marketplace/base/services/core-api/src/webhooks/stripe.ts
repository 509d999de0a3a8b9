import type { Request, Response } from 'express';
import Stripe from 'stripe';
import { logger } from '../lib/logger';
import { supabase, UNIQUE_VIOLATION } from '../lib/supabase';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '', { apiVersion: '2024-06-20' });
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET ?? '';

/**
 * Stripe webhook endpoint. Mounted with express.raw() so `req.body` is the
 * exact Buffer Stripe signed.
 */
export async function stripeWebhookHandler(req: Request, res: Response): Promise<void> {
  const sig = req.headers['stripe-signature'];
  if (typeof sig !== 'string') {
    res.status(400).send('Missing Stripe-Signature header');
    return;
  }

  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(req.body, sig, webhookSecret);
  } catch (err) {
    logger.warn({ err }, 'stripe signature verification failed');
    res.status(400).send('Invalid signature');
    return;
  }

  // Stripe delivers at least once: record the event id first, the unique
  // constraint on processed_events.event_id makes a redelivery a no-op.
  const { error: dedupError } = await supabase
    .from('processed_events')
    .insert({ event_id: event.id, type: event.type, source: 'stripe' });
  if (dedupError) {
    if (dedupError.code === UNIQUE_VIOLATION) {
      logger.info({ eventId: event.id, type: event.type }, 'duplicate stripe event ignored');
      res.json({ received: true, duplicate: true });
      return;
    }
    logger.error({ err: dedupError, eventId: event.id }, 'could not record stripe event');
    res.status(500).send('Could not record event');
    return;
  }

  try {
    await handleEvent(event);
    logger.info({ eventId: event.id, type: event.type }, 'stripe event processed');
    res.json({ received: true });
  } catch (err) {
    logger.error({ err, eventId: event.id, type: event.type }, 'stripe event handling failed');
    // Forget the event so Stripe's retry gets a fresh attempt.
    await supabase.from('processed_events').delete().eq('event_id', event.id);
    res.status(500).send('Event handling failed');
  }
}

async function handleEvent(event: Stripe.Event): Promise<void> {
  switch (event.type) {
    case 'checkout.session.completed': {
      const session = event.data.object as Stripe.Checkout.Session;
      const { error } = await supabase.from('subscriptions').upsert(
        {
          employer_id: session.client_reference_id,
          stripe_customer_id: session.customer as string,
          stripe_subscription_id: session.subscription as string,
          status: 'active',
        },
        { onConflict: 'stripe_subscription_id' },
      );
      if (error) throw error;
      break;
    }
    case 'customer.subscription.deleted': {
      const subscription = event.data.object as Stripe.Subscription;
      const { error } = await supabase
        .from('subscriptions')
        .update({ status: 'canceled' })
        .eq('stripe_subscription_id', subscription.id);
      if (error) throw error;
      break;
    }
    case 'invoice.payment_failed': {
      const invoice = event.data.object as Stripe.Invoice;
      const { error } = await supabase
        .from('subscriptions')
        .update({ status: 'past_due' })
        .eq('stripe_subscription_id', invoice.subscription as string);
      if (error) throw error;
      break;
    }
    default:
      logger.debug({ type: event.type }, 'ignoring unhandled stripe event type');
  }
}
