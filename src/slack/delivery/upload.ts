// The weekly digest's chart as a file in the digest channel, with Slack's file upload: ask for
// an upload URL (files.getUploadURLExternal), send the PNG there, then share it in the channel
// (files.completeUploadExternal). The PNG was drawn when the digest was claimed and is in the
// outbox row: whichever process sends the row uploads that picture, and the upload is quick.
import type { WebClient } from '@slack/web-api';
import type { DigestChartNotice } from '../../domain/reports.ts';

export interface UploadedFile {
  fileId: string;
}

export async function uploadDigestChart(
  client: WebClient,
  notice: DigestChartNotice,
  channelId: string,
  comment: string,
  timeoutMs: number,
): Promise<UploadedFile> {
  const png = Buffer.from(notice.png, 'base64');
  const filename = `chains-${notice.periodKey.replace(/[^A-Za-z0-9-]+/g, '-')}.png`;
  const target = await client.files.getUploadURLExternal({ filename, length: png.length });
  if (!target.upload_url || !target.file_id) throw new Error('files.getUploadURLExternal: no upload URL');
  const sent = await fetch(target.upload_url, {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body: new Blob([png], { type: 'image/png' }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!sent.ok) throw new Error(`file upload: HTTP ${sent.status}`);
  await client.files.completeUploadExternal({
    files: [{ id: target.file_id, title: notice.chart.title }],
    channel_id: channelId,
    initial_comment: comment,
  });
  return { fileId: target.file_id };
}
