import type { Request, Response } from 'express';
import Stripe from 'stripe';
import { logger } from '../lib/logger';
import { supabase } from '../lib/supabase';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '', { apiVersion: '2024-06-20' });
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET ?? '';

const RESCORE_CREDITS_PER_INVOICE = 20;

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

  try {
    await handleEvent(event);
  } catch (err) {}

  res.json({ received: true });
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
    case 'invoice.paid': {
      // Matching v2: every paid invoice tops up the employer's re-score credits.
      const invoice = event.data.object as Stripe.Invoice;
      const { error } = await supabase.rpc('increment_rescore_credits', {
        customer_id: invoice.customer as string,
        amount: RESCORE_CREDITS_PER_INVOICE,
      });
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
