package io.clusterpeering.function;

import io.clusterpeering.acl.SecretSealer;
import io.clusterpeering.service.AclManagementService;
import io.clusterpeering.service.AclResolver;
import io.clusterpeering.support.GatewayEvent;
import io.clusterpeering.support.GatewayEvent.Answer;
import io.clusterpeering.support.PayloadFormat;
import io.clusterpeering.support.TestDynamoDb;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request path needs only {@link AclResolver}: a function that is not an ACL function checks its requests'
 * tokens, with ACLs on, without ever creating the ACL management service or the SecretID sealer (in AWS, a KMS
 * client that only the ACL functions may use). One context bootstraps ACLs, as the deployment does; another,
 * over the same table, is the function's.
 */
class RequestPathAclBeansTest {

    @Test
    void aPeeringFunctionResolvesTokensWithoutTheManagementService() {
        Map<String, Object> properties = TestDynamoDb.freshTable("acl-beans");
        properties.put("peering.acl.enabled", true);
        try (ApplicationContext deployment = ApplicationContext.run(properties);
             ApplicationContext function = ApplicationContext.run(properties)) {
            String management = deployment.getBean(AclManagementService.class).bootstrap(null).secretId();
            ListPeeringsFunction list = new ListPeeringsFunction(function);

            Answer anonymous = GatewayEvent.fixture(PayloadFormat.HTTP_API_2_0, "list-peerings.json").sendTo(list);
            assertEquals(403, anonymous.status(), anonymous.body());
            GatewayEvent withToken = GatewayEvent.fixture(PayloadFormat.HTTP_API_2_0, "list-peerings.json");
            withToken.json().withObject("headers").put("x-consul-token", management);
            Answer allowed = withToken.sendTo(list);
            assertEquals(200, allowed.status(), allowed.body());

            assertFalse(function.getActiveBeanRegistrations(AclResolver.class).isEmpty(), "the resolver checked both");
            assertTrue(function.getActiveBeanRegistrations(AclManagementService.class).isEmpty(),
                    "the request path never created the management service");
            assertTrue(function.getActiveBeanRegistrations(SecretSealer.class).isEmpty(),
                    "nor the SecretID sealer");
        }
    }
}
