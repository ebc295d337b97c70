import { callbackTasksQuery } from '#shared/contract/requests.ts';
import { json, parseQuery, withoutBody } from '#shared/platform/http.ts';
import { listCallbackTasks } from '#shared/stores/callback-task-store.ts';

/**
 * GET /callbacks?limit=&cursor=: the operators' open call-back tasks (回访任务), oldest first — whom to
 * call, for which order and round, at which attempt, and until when. The answer goes to
 * POST /orders/{id}/callback; a task disappears when its round is answered or runs out.
 */
export const handler = withoutBody(async (event) => {
  const query = parseQuery(callbackTasksQuery, event);
  const page = await listCallbackTasks({
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return json(200, { items: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
});
