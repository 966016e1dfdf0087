import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of the few Stripe API endpoints Pressroom calls, on loopback, for tests: customers
 * (create, retrieve), products (create, update), prices (create), Checkout Sessions and
 * Billing Portal Sessions (create) and subscriptions (retrieve). It answers with objects
 * shaped like Stripe's, records every request with its form body decoded, and lets a test
 * set what a subscription looks like when it is fetched. Point the SDK at it with
 * STRIPE_API_BASE=fake.url (host, port and protocol 'http').
 */

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

export interface RecordedRequest {
  method: string;
  path: string;
  body: FormObject;
  headers: Record<string, string | string[] | undefined>;
}

type StripeObject = Record<string, unknown> & { id: string };

/** A subscription as the fake stores it and `retrieve` returns it. */
export type FakeSubscription = StripeObject & { customer: string; status: string };

export interface SubscriptionInput {
  id?: string;
  customer: string;
  status?: string;
  price?: {
    id: string;
    product: string;
    unit_amount: number;
    currency: string;
    interval: 'month' | 'year';
  };
  /** Unix seconds. */
  current_period_start?: number;
  current_period_end: number;
  cancel_at_period_end?: boolean;
  trial_end?: number | null;
  ended_at?: number | null;
  canceled_at?: number | null;
  cancellation_reason?: string | null;
  metadata?: Record<string, string>;
  created?: number;
}

/** Decodes Stripe's form encoding (`a[b][0][c]=v`) into nested objects and arrays. */
export function parseStripeForm(body: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const [head = '', ...rest] = rawKey
      .split('[')
      .map((part, i) => (i === 0 ? part : part.replace(/]$/, '')));
    const path = [head, ...rest];
    let node: FormObject | FormValue[] = root;
    path.forEach((key, i) => {
      const last = i === path.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(path[i + 1]!);
      const container = node as Record<string, FormValue>;
      if (last) {
        container[key] = value;
        return;
      }
      container[key] ??= nextIsIndex ? [] : {};
      node = container[key] as FormObject | FormValue[];
    });
  }
  return root;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

export async function startFakeStripe() {
  const requests: RecordedRequest[] = [];
  const customers = new Map<string, StripeObject>();
  const products = new Map<string, StripeObject>();
  const prices = new Map<string, StripeObject>();
  const subscriptions = new Map<string, StripeObject>();
  const failures = new Map<string, { status: number; message: string }>();

  const notFound = (res: ServerResponse, what: string, key: string) =>
    send(res, 404, {
      error: {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such ${what}: '${key}'`,
        param: 'id',
      },
    });

  function route(method: string, path: string, body: FormObject, res: ServerResponse): void {
    const failure = failures.get(`${method} ${path.replace(/\/[a-z]+_\w+$/, '/:id')}`);
    if (failure) {
      // Told not to retry, so a test of a failure does not wait out the SDK's backoff.
      send(
        res,
        failure.status,
        { error: { type: 'api_error', message: failure.message } },
        {
          'stripe-should-retry': 'false',
        },
      );
      return;
    }
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/customers') {
      const customer = {
        id: id('cus'),
        object: 'customer',
        created: nowSeconds(),
        livemode: false,
        email: body.email ?? null,
        name: body.name ?? null,
        metadata: body.metadata ?? {},
      };
      customers.set(customer.id, customer);
      return send(res, 200, customer);
    }
    if (method === 'GET' && (m = /^\/v1\/customers\/([\w-]+)$/.exec(path))) {
      const customer = customers.get(m[1]!);
      return customer ? send(res, 200, customer) : notFound(res, 'customer', m[1]!);
    }
    if (method === 'POST' && path === '/v1/products') {
      const product = {
        id: id('prod'),
        object: 'product',
        active: true,
        created: nowSeconds(),
        livemode: false,
        name: body.name,
        description: body.description ?? null,
        metadata: body.metadata ?? {},
      };
      products.set(product.id, product);
      return send(res, 200, product);
    }
    if (method === 'POST' && (m = /^\/v1\/products\/([\w-]+)$/.exec(path))) {
      const product = products.get(m[1]!);
      if (!product) return notFound(res, 'product', m[1]!);
      Object.assign(product, body, body.description === '' ? { description: null } : {});
      return send(res, 200, product);
    }
    if (method === 'POST' && path === '/v1/prices') {
      const recurring = body.recurring as FormObject | undefined;
      const price = {
        id: id('price'),
        object: 'price',
        active: true,
        created: nowSeconds(),
        livemode: false,
        product: body.product,
        currency: body.currency,
        unit_amount: Number(body.unit_amount),
        recurring: recurring ? { interval: recurring.interval, interval_count: 1 } : null,
        type: recurring ? 'recurring' : 'one_time',
        metadata: body.metadata ?? {},
      };
      prices.set(price.id, price);
      return send(res, 200, price);
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const sessionId = `cs_test_${randomBytes(16).toString('hex')}`;
      return send(res, 200, {
        id: sessionId,
        object: 'checkout.session',
        mode: body.mode,
        status: 'open',
        customer: body.customer ?? null,
        client_reference_id: body.client_reference_id ?? null,
        metadata: body.metadata ?? {},
        subscription: null,
        success_url: body.success_url,
        cancel_url: body.cancel_url,
        url: `https://checkout.stripe.test/c/pay/${sessionId}`,
        livemode: false,
      });
    }
    if (method === 'POST' && path === '/v1/billing_portal/sessions') {
      const sessionId = id('bps');
      return send(res, 200, {
        id: sessionId,
        object: 'billing_portal.session',
        customer: body.customer,
        return_url: body.return_url ?? null,
        url: `https://billing.stripe.test/p/session/${sessionId}`,
        livemode: false,
      });
    }
    if (method === 'GET' && (m = /^\/v1\/subscriptions\/([\w-]+)$/.exec(path))) {
      const subscription = subscriptions.get(m[1]!);
      return subscription ? send(res, 200, subscription) : notFound(res, 'subscription', m[1]!);
    }
    send(res, 404, {
      error: {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${path})`,
      },
    });
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake-stripe');
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = parseStripeForm(req.method === 'GET' ? url.search.slice(1) : raw);
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        body,
        headers: req.headers,
      });
      if (!/^Bearer (sk|rk)_test_\w+$/.test(req.headers.authorization ?? '')) {
        send(res, 401, {
          error: { type: 'invalid_request_error', message: 'Invalid API Key provided' },
        });
        return;
      }
      route(req.method ?? 'GET', url.pathname, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    /** Requests to one endpoint, e.g. `calls('POST', '/v1/prices')`. */
    calls(method: string, path: string | RegExp): RecordedRequest[] {
      return requests.filter(
        (r) =>
          r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
      );
    },
    reset(): void {
      requests.length = 0;
      failures.clear();
    },
    /** Makes `METHOD /v1/path` (ids as `:id`) answer with an error until cleared by reset(). */
    fail(endpoint: string, status = 500, message = 'Something went wrong at the fake'): void {
      failures.set(endpoint, { status, message });
    },
    customer: (key: string) => customers.get(key),
    deleteCustomer(key: string): void {
      const c = customers.get(key);
      if (c) customers.set(key, { id: key, object: 'customer', deleted: true });
    },
    price: (key: string) => prices.get(key),
    product: (key: string) => products.get(key),
    /**
     * Stores (or replaces) a subscription as `GET /v1/subscriptions/:id` will return it, and
     * returns it, ready to be put in a webhook event as well.
     */
    setSubscription(input: SubscriptionInput): FakeSubscription {
      const subId = input.id ?? id('sub');
      const price = input.price ?? {
        id: id('price'),
        product: id('prod'),
        unit_amount: 500,
        currency: 'usd',
        interval: 'month' as const,
      };
      const start = input.current_period_start ?? input.current_period_end - 30 * 86_400;
      const subscription: FakeSubscription = {
        id: subId,
        object: 'subscription',
        livemode: false,
        created: input.created ?? start,
        customer: input.customer,
        status: input.status ?? 'active',
        cancel_at_period_end: input.cancel_at_period_end ?? false,
        cancel_at: input.cancel_at_period_end ? input.current_period_end : null,
        canceled_at: input.canceled_at ?? null,
        ended_at: input.ended_at ?? null,
        cancellation_details: {
          reason: input.cancellation_reason ?? null,
          comment: null,
          feedback: null,
        },
        trial_end: input.trial_end ?? null,
        metadata: input.metadata ?? {},
        items: {
          object: 'list',
          has_more: false,
          url: `/v1/subscription_items?subscription=${subId}`,
          data: [
            {
              id: id('si'),
              object: 'subscription_item',
              subscription: subId,
              quantity: 1,
              current_period_start: start,
              current_period_end: input.current_period_end,
              price: {
                id: price.id,
                object: 'price',
                product: price.product,
                currency: price.currency,
                unit_amount: price.unit_amount,
                recurring: { interval: price.interval, interval_count: 1 },
                type: 'recurring',
              },
            },
          ],
        },
      };
      subscriptions.set(subId, subscription);
      return subscription;
    },
    subscription: (key: string) => subscriptions.get(key),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeStripe = Awaited<ReturnType<typeof startFakeStripe>>;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    'request-id': `req_${randomBytes(8).toString('hex')}`,
    'stripe-version': '2026-10-28.endive',
  });
  res.end(json);
}
