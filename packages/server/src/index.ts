// What the CLI and other packages may use from the server.
export { systemActor } from './access/actor.js';
export { PERMISSION_IDS } from './access/permissions.js';
export { buildApp } from './app.js';
export { databaseFile, openCoffer, type Coffer } from './coffer.js';
export { ConfigError, loadConfig, type Config } from './config.js';
export { addKeyToFile, keyFilePath, pruneKeyFile } from './crypto/keyring.js';
export { runServer } from './main.js';
export { BackupError, newKeyFileText, parseKeyFile, type BackupSecret } from './backup/format.js';
export type { Progress as BackupProgress } from './backup/backup.service.js';
