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

/** @returns The preset of that name, or undefined. */
export function findPreset(name: string): ProviderPreset | undefined {
  return Object.hasOwn(PRESETS, name) ? PRESETS[name as PresetName] : undefined;
}
