/**
 * `src/providers/` holds the presets and the profile mapping. A preset is data (one file each): every provider
 * quirk lives inside its preset, as a field with a comment saying why or as an optional hook, and the generic code
 * only reads the field or calls the hook. Nothing here imports openid-client; `src/client/` does the protocol.
 */
import { apple } from './apple.js';
import { discord } from './discord.js';
import { facebook } from './facebook.js';
import { fluxer } from './fluxer.js';
import { github } from './github.js';
import { gitlab } from './gitlab.js';
import { google } from './google.js';
import { kakao } from './kakao.js';
import { line } from './line.js';
import { linkedin } from './linkedin.js';
import { microsoft } from './microsoft.js';
import { naver } from './naver.js';
import { slack } from './slack.js';
import { spotify } from './spotify.js';
import { twitch } from './twitch.js';
import type { ProviderPreset } from './types.js';
import { x } from './x.js';

/** Every preset by name. `providers: { google: {…} }` picks the preset of the same name; `preset` picks another. */
export const PRESETS = {
  apple,
  discord,
  facebook,
  fluxer,
  github,
  gitlab,
  google,
  kakao,
  line,
  linkedin,
  microsoft,
  naver,
  slack,
  spotify,
  twitch,
  x,
} as const satisfies Record<string, ProviderPreset>;

/** The name of a built-in preset. */
export type PresetName = keyof typeof PRESETS;

/**
 * The preset a resolved provider is built from, for the quirks the generic code reads at use time.
 *
 * @param provider - A resolved provider (its `preset` is the preset's name, or undefined).
 * @returns The preset, or undefined for a provider configured without one.
 * @example
 * const separator = presetOf(provider)?.grantedScopeSeparator;
 */
export function presetOf(provider: { readonly preset: string | undefined }): ProviderPreset | undefined {
  return provider.preset === undefined ? undefined : findPreset(provider.preset);
}

/** @returns The preset of that name, or undefined. */
export function findPreset(name: string): ProviderPreset | undefined {
  return Object.hasOwn(PRESETS, name) ? PRESETS[name as PresetName] : undefined;
}
