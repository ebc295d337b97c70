/** Stylesheets imported for their effect: esbuild emits them as the bundle's .css. */
declare module '*.css';
