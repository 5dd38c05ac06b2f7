// MongoDB's health check in the compose file (mongosh, authenticated as the root user). It initialises the one-node
// replica set "rs0" the first time (the services need a replica set: change streams and transactions), then reports
// healthy only once this node is the writable primary.
try {
  rs.status();
} catch (e) {
  if (e.codeName !== 'NotYetInitialized') {
    throw e;
  }
  rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: 'mongodb:27017' }] });
}
if (!db.hello().isWritablePrimary) {
  quit(1);
}
