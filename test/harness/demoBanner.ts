// The text `npm start` prints once the demo is up: where to open it, how sign-in goes, the simulators, and how many
// seeded machine actions the view will list in its default time window. Apart from start.mjs so a unit test can
// read it without starting code-server (it once broke when the settings moved into sections).
import { createdWithin, type RawAction } from '../simulators/seedActions';

const LOOKBACK_SETTING = 'mdeActions.lookbackDays';

/** The part of package.json the banner reads: `contributes.configuration`, one object or a list of sections. */
export interface Manifest {
  contributes?: { configuration?: ConfigurationSection | ConfigurationSection[] };
}

interface ConfigurationSection {
  properties?: Record<string, { default?: unknown }>;
}

export interface BannerFacts {
  /** The workbench URL to open. */
  url: string;
  /** How long the start took (s). */
  seconds: number;
  /** The simulator approves a device code by itself after this long (s). */
  approvalDelaySeconds: number;
  upn: string;
  entraUrl: string;
  defenderUrl: string;
  storageOrigin: string;
  /** The actions the Defender simulator holds (its seed). */
  actions: readonly RawAction[];
  /** The VSIX and the demo profile folder, as they should read (relative to where `npm start` ran). */
  extension: string;
  profile: string;
  /** Epoch ms the time window ends at; default now. */
  now?: number;
}

/**
 * The default of `mdeActions.lookbackDays` (days) in the manifest's configuration, whether it is one object or a list
 * of sections. Throws an Error naming the setting when no section declares a whole number default.
 */
export function defaultLookbackDays(manifest: Manifest): number {
  const sections = [manifest.contributes?.configuration ?? []].flat();
  const value = sections.find((section) => section.properties?.[LOOKBACK_SETTING])?.properties?.[LOOKBACK_SETTING]?.default;
  if (!Number.isInteger(value)) {
    throw new Error(`package.json declares no whole-number default for ${LOOKBACK_SETTING} in contributes.configuration`);
  }
  return value as number;
}

/** The banner, from the manifest (package.json) and what the demo started; throws as defaultLookbackDays does. */
export function demoBanner(manifest: Manifest, facts: BannerFacts): string {
  const lookbackDays = defaultLookbackDays(manifest);
  const listed = createdWithin(facts.actions, lookbackDays, facts.now).length;
  return `
Ready in ${facts.seconds} s. Open this in a browser on this machine:

  ${facts.url}

Then: the Defender icon in the activity bar → Sign In. A notification shows a device code; the Entra ID simulator
approves it by itself after ${facts.approvalDelaySeconds} seconds (no need to open the page or enter the code),
and you are signed in as ${facts.upn}.

  Entra ID simulator      ${facts.entraUrl}
  Defender API simulator  ${facts.defenderUrl}
                          ${facts.actions.length} machine actions seeded, ${listed} within the view's ${lookbackDays}-day window
  Storage simulator       ${facts.storageOrigin}   (live response output and investigation packages)
  Extension               ${facts.extension}

The demo profile (${facts.profile}) starts fresh each time.
Press Ctrl+C to stop.`;
}
