package baas

import (
	"slices"

	"github.com/wxbaas/baas/internal/protocol"
)

// QQ's data decryption is DecryptData on a QQ Client, like
// qq.BaaS.decryptData(encryptedData, iv, 'open-gid'): QQ decrypts only a
// share ticket's group id (DecryptOpenGID), at its own path, and only when
// the MinCloud console has it enabled (else the server's 403). WeChat and QQ
// are the only platforms with a decryption.

// decryptRoute is the path of the decryption of kind on the Client's
// platform, and what a 403 there means; a CodeIncorrectParameter when the
// platform does not decrypt kind.
func (c *Client) decryptRoute(kind DecryptKind) (path, forbidden string, err error) {
	switch p := c.cfg.plat.platform; p {
	case WeChat:
		return protocol.DecryptPathPrefix + string(kind) + "/", "the WeChat decrypt plugin is not enabled in the MinCloud console", nil
	case QQ:
		if !slices.Contains(protocol.QQDecryptKinds, string(kind)) {
			return "", "", badParam("QQ decrypts only DecryptOpenGID (a share ticket's group id), not " + string(kind))
		}
		return protocol.QQDecryptPathPrefix + string(kind) + "/", "QQ data decryption is not enabled in the MinCloud console", nil
	default:
		return "", "", badParam(p.String() + " has no data decryption (WeChat and QQ do)")
	}
}
