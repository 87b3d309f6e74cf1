// JSON values: what crosses Durable Object RPC and queues. (`unknown` does not: RPC types reject it.)
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
