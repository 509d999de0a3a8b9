import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import { scheduleNightlyDigest } from './jobs/nightly-digest';
import { scheduleWeeklyRescore } from './jobs/weekly-rescore';
import { aiClient } from './lib/ai-client';
import { logger } from './lib/logger';
import { matchesRouter } from './routes/matches';
import { stripeWebhookHandler } from './webhooks/stripe';

export const app = express();

app.disable('x-powered-by');
app.use(cors({ origin: process.env.WEB_ORIGIN ?? 'http://localhost:3000', credentials: true }));
app.use(express.json({ limit: '1mb' }));

app.post('/api/webhooks/stripe', express.raw({ type: 'application/json' }), stripeWebhookHandler);

app.get('/health', async (_req, res) => {
  const aiEngineUp = await aiClient.health();
  res.json({ status: 'ok', aiEngine: aiEngineUp ? 'up' : 'degraded' });
});

app.use('/api/matches', matchesRouter);

app.use((err: Error, req: Request, res: Response, _next: NextFunction) => {
  logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
  res.status(500).json({ error: 'internal_error' });
});

const port = Number(process.env.PORT) || 4000;

if (require.main === module) {
  app.listen(port, () => {
    logger.info({ port }, 'core-api listening');
  });
  scheduleNightlyDigest();
  scheduleWeeklyRescore();
}
