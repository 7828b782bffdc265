/** Where Bull Board is mounted; app.setup.ts gives this path its own CSP. */
export const QUEUE_BOARD_PATH = '/agent/queues';
