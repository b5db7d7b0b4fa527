// What the host suite (running inside the extension host) reports to runTests.ts through the file MDE_HOST_RESULT.
export interface HostTestOutcome {
  title: string;
  state: 'passed' | 'failed' | 'skipped';
  durationMs?: number;
  error?: string;
}

export interface HostResult {
  passed: number;
  failed: number;
  skipped: number;
  tests: HostTestOutcome[];
}
