#!/usr/bin/env node
import { buildApp } from '../app.ts';

// The CDK CLI runs this file (cdk.json "app") and synthesizes the app when the process ends.
buildApp();
