// CoreDNS with only the plugins a cluster DNS uses (the Corefile kubeadm installs, minus
// prometheus), for the local test cluster; test/cluster/build.sh builds it. CoreDNS's own main
// imports all of its plugins (core/plugin), and with them the SDKs of Azure, AWS, Google Cloud and
// Datadog: this one compiles in a fraction of the time. Plugins run in the order of
// dnsserver.Directives whatever the order here, so that list is left as CoreDNS ships it.
package main

import (
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

func main() {
	coremain.Run()
}
