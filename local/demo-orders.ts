export const seedDemoOrders = async (_stack: unknown, _log: (line: string) => void) => ({
  created: 0,
  skipped: true,
});
