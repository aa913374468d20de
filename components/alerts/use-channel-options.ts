"use client";
/**
 * The notification channels an alert can be sent to besides in-app (email, Slack, webhook), for the
 * alert form's checkboxes (`channels.list`; in-app is always told, so it is left out).
 */
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc.ts";

export interface ChannelOption {
  id: string;
  name: string;
  kind: string;
}

export function useChannelOptions(): ChannelOption[] {
  const trpc = useTRPC();
  const channels = useQuery(trpc.channels.list.queryOptions());
  return (channels.data ?? []).filter((channel) => channel.kind !== "in_app").map(({ id, name, kind }) => ({ id, name, kind }));
}
