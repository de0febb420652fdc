/**
 * Child process entry (certificate.ts forks it): makes one certificate set (certificate-issue.ts) from
 * the one message its parent sends, answers with it, and ends. It ends too if the parent goes first.
 */
import { issue } from './certificate-issue.js';

interface Input {
  hosts: string[];
  now: string;
  ca?: { cert: string; key: string };
}

process.once('disconnect', () => process.exit(0));
process.once('message', (input: Input) => {
  const answer = (m: unknown) => process.send?.(m, () => undefined); // a parent gone meanwhile: nothing to do
  issue(input.hosts, new Date(input.now), input.ca).then(
    (issued) => answer({ ok: true, issued }),
    (err: unknown) => answer({ ok: false, message: err instanceof Error ? err.message : String(err) }),
  );
});
