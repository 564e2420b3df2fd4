import { ErrorBodySchema } from '@live-casino/protocol';

/** The refusals every route may answer, each with protocol's error body. */
export const errorResponses = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
  422: ErrorBodySchema,
} as const;
