// systeminformation publishes types for its index only; the agent loads the one module it uses.
// A CommonJS module: its exports object is the default export, both under node and in the bundle.
declare module 'systeminformation/lib/system.js' {
  import type { Systeminformation } from 'systeminformation';
  const systemModule: {
    /** Manufacturer, model, serial and UUID of this machine (DMI on Linux, IOPlatformExpertDevice on a Mac). */
    system(): Promise<Systeminformation.SystemData>;
  };
  export default systemModule;
}
