/** The source as routing sees it: its configured id and its kind. */
export interface RouteSource {
  readonly id: string;
  readonly kind: string;
}

/** One CRM event: the sender's id for it and the fields routes read. */
export interface RoutedEvent {
  readonly id: string;
  readonly fields: unknown;
}
