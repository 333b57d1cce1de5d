// Attachments: the media endpoint needs the bearer token, so images are fetched as blobs and shown
// through object URLs (the page's CSP allows blob: images), and files are saved the same way.

const urls = new Map(); // mediaId → Promise<object URL>

/** An object URL for the attachment's bytes; fetched once per page. */
export function mediaUrl(api, mediaId) {
  if (!urls.has(mediaId)) {
    const pending = api.media(mediaId).then((blob) => URL.createObjectURL(blob));
    pending.catch(() => urls.delete(mediaId)); // a failure may be retried later
    urls.set(mediaId, pending);
  }
  return urls.get(mediaId);
}

/** Saves an attachment as a file. */
export async function download(api, attachment) {
  const url = await mediaUrl(api, attachment.mediaId);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName(attachment);
  document.body.append(a);
  a.click();
  a.remove();
}

const EXTENSIONS = {
  'application/pdf': 'pdf', 'text/plain': 'txt', 'application/zip': 'zip', 'image/png': 'png',
  'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'audio/mpeg': 'mp3', 'video/mp4': 'mp4',
};

export function fileName(attachment) {
  const ext = EXTENSIONS[attachment.contentType] || 'bin';
  return `${attachment.mediaId}.${ext}`;
}

export function isImage(attachment) {
  return /^image\/(png|jpeg|gif|webp|avif|bmp)$/.test(attachment.contentType || '');
}

/** Forgets every object URL (on log out). */
export function releaseAll() {
  for (const pending of urls.values()) pending.then((u) => URL.revokeObjectURL(u), () => {});
  urls.clear();
}
