import { Alert, Container } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import type { ApiProblem } from '../auth/problems';
import { formatWait } from './forms';

/** "Try again in N seconds" for RATE_LIMITED and SERVICE_UNAVAILABLE, counting down. */
export function RetryBanner() {
  const { problems } = useAuth();
  const [problem, setProblem] = useState<ApiProblem | null>(problems.get());
  const [now, setNow] = useState(Date.now());

  useEffect(() => problems.subscribe(setProblem), [problems]);
  useEffect(() => {
    if (!problem) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [problem]);

  if (!problem) return null;
  const left =
    problem.retryAfter === null ? null : Math.max(0, problem.retryAfter - Math.floor((now - problem.at) / 1000));
  const title = problem.kind === 'rate-limited' ? 'Too many requests' : 'Service briefly unavailable';
  const text =
    left === null
      ? 'Please wait a moment and try again.'
      : left > 0
        ? `Please try again in ${formatWait(left)}.`
        : 'You can try again now.';
  return (
    <Container size="lg" pt="md">
      <Alert color="orange" title={title} role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => problems.clear()}>
        {text}
      </Alert>
    </Container>
  );
}
