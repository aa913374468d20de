"use client";
/**
 * The notification channels an alert can be sent to besides in-app (email, Slack, webhook), for the
 * alert form's checkboxes. Reads `channels.list` once the channels router exists.
 */

export interface ChannelOption {
  id: string;
  name: string;
  kind: string;
}

export function useChannelOptions(): ChannelOption[] {
  return [];
}
