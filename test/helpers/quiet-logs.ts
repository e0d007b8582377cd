/** Silences Powertools loggers created after this module is imported. */
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
