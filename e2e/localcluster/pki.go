package localcluster

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pki is the cluster's certificate authority and the files the control plane
// reads: one CA signs the API server's serving certificate, the admin client
// certificate (group system:masters), the controller manager's and the
// kubelet's serving certificate; an RSA key signs ServiceAccount tokens.
type pki struct {
	dir           string
	caCert, caKey string
	serverCert    string
	serverKey     string
	adminCert     string
	adminKey      string
	kubeletCert   string
	kubeletKey    string
	saKey, saPub  string
	ca            *x509.Certificate
	caSigner      *ecdsa.PrivateKey
}

func newPKI(dir string, ips []net.IP) (*pki, error) {
	p := &pki{dir: dir}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := template("localcluster-ca", nil)
	caTmpl.IsCA = true
	caTmpl.BasicConstraintsValid = true
	caTmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	p.ca, _ = x509.ParseCertificate(der)
	p.caSigner = caKey
	if p.caCert, p.caKey, err = p.write("ca", der, caKey); err != nil {
		return nil, err
	}
	dns := []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}
	if p.serverCert, p.serverKey, err = p.issue("kube-apiserver", nil, dns, ips, x509.ExtKeyUsageServerAuth); err != nil {
		return nil, err
	}
	if p.adminCert, p.adminKey, err = p.issue("admin", []string{"system:masters"}, nil, nil, x509.ExtKeyUsageClientAuth); err != nil {
		return nil, err
	}
	if p.kubeletCert, p.kubeletKey, err = p.issue("kubelet", nil, []string{"localhost", nodeName}, ips, x509.ExtKeyUsageServerAuth); err != nil {
		return nil, err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	p.saKey = filepath.Join(dir, "sa.key")
	p.saPub = filepath.Join(dir, "sa.pub")
	pub, _ := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err := writePEM(p.saKey, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey)); err != nil {
		return nil, err
	}
	if err := writePEM(p.saPub, "PUBLIC KEY", pub); err != nil {
		return nil, err
	}
	return p, nil
}

func template(cn string, orgs []string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: orgs},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
}

func (p *pki) issue(cn string, orgs, dns []string, ips []net.IP, usage x509.ExtKeyUsage) (string, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	t := template(cn, orgs)
	t.DNSNames, t.IPAddresses = dns, ips
	t.KeyUsage = x509.KeyUsageDigitalSignature
	t.ExtKeyUsage = []x509.ExtKeyUsage{usage}
	der, err := x509.CreateCertificate(rand.Reader, t, p.ca, &key.PublicKey, p.caSigner)
	if err != nil {
		return "", "", err
	}
	return p.write(cn, der, key)
}

func (p *pki) write(name string, der []byte, key *ecdsa.PrivateKey) (string, string, error) {
	certFile := filepath.Join(p.dir, name+".crt")
	keyFile := filepath.Join(p.dir, name+".key")
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", "", err
	}
	if err := writePEM(certFile, "CERTIFICATE", der); err != nil {
		return "", "", err
	}
	if err := writePEM(keyFile, "EC PRIVATE KEY", kb); err != nil {
		return "", "", err
	}
	return certFile, keyFile, nil
}

func writePEM(file, typ string, der []byte) error {
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	return nil
}
