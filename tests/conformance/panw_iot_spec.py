"""Facts from Palo Alto Networks' OpenAPI spec of the IoT Security API, written down with their source.

Source: the ``PaloAltoNetworks/pan.dev`` repository (snapshot of 2026-08-21, commit 481855cc2005),
``openapi-specs/iot/``: ``iot.yaml``, ``api/public/bulkUpdateCellular.yaml``,
``api/public/bulkUpdateCustomAttribute.yaml``, ``api/public/deviceList.yaml``, ``components/schemas.yaml``,
``components/examples.yaml``; and ``products/iot/api/iot-public-api-headers.md`` (the legacy base URL).
The suite does not read the spec at run time (CI has no copy): every fact it checks is here, as the spec
states it. Types are the spec's OpenAPI types.
"""
from __future__ import annotations

# products/iot/api/iot-public-api-headers.md: https://{TENANT}.iot.paloaltonetworks.com/pub/v4.0/{API_ROUTE},
# customerid in the query of every call, X-Key-Id and X-Access-Key headers.
LEGACY_BASE_PATH = "/pub/v4.0"
# iot.yaml: servers[0].url and the paths /iot/pub/v1/device/bulkUpdate (put) and /iot/pub/v1/device/list (get).
SCM_SERVER = "https://api.strata.paloaltonetworks.com"
SCM_BASE_PATH = "/iot/pub/v1"
BULK_UPDATE_ROUTE = "/device/bulkUpdate"
BULK_UPDATE_METHOD = "PUT"
DEVICE_LIST_ROUTE = "/device/list"

# api/public/bulkUpdateCellular.yaml: the one parameter, updateSource (in: query, required: true, type string);
# iot.yaml names the cellular operation /iot/pub/v1/device/bulkUpdate?updateSource=cellular.
BULK_UPDATE_QUERY = {"updateSource": "cellular"}
# The request body is required, application/json, schema CellularBulkUpdateDevicePayloadSchema.
BULK_UPDATE_CONTENT_TYPE = "application/json"

# components/schemas.yaml CellularBulkUpdateDevicePayloadSchema: type object, required [devicelist];
# devicelist: type array of objects; no property of an item is required, and every one is a string.
CELLULAR_PAYLOAD_REQUIRED = ("devicelist",)
CELLULAR_ITEM_PROPERTIES = {
    "ipAddress": "string",
    "ipv6Address": "string",
    "imei": "string",
    "iccid": "string",
    "imsi": "string",
    "apn": "string",
    "msisdn": "string",
    "SessionEvtType": "string",
}
# components/examples.yaml CellularDeviceBulkUpdatePayloadExample: the vendor's own example payload. It sends two
# properties the schema does not list (sessionStart, sessionEnd) and leaves SessionEvtType out.
CELLULAR_PAYLOAD_EXAMPLE = {
    "devicelist": [
        {
            "ipAddress": "10.6.72.216",
            "ipv6Address": "FE80:CD00:0000:0CDE:1257:0000:211E:729C",
            "imei": "000000000000000",
            "iccid": "891004234814455936F",
            "imsi": "313460000000001",
            "apn": "006-007-001-000",
            "msisdn": "919825098250",
            "sessionStart": "ISODate('2022-01-05T14:48:00.000Z')",
            "sessionEnd": "ISODate('2022-01-10T14:48:00.000Z')",
        }
    ]
}
EXAMPLE_ONLY_PROPERTIES = {"sessionStart": "string", "sessionEnd": "string"}

# components/schemas.yaml BulkUpdateDeviceResponseSchema (the 200 answer of bulkUpdateCellular.yaml).
BULK_UPDATE_RESPONSE_PROPERTIES = {
    "api": "string",
    "ver": "string",
    "code": "string",
    "message": "string",
    "updatedDeviceNum": "integer",
}
# components/examples.yaml CellularBulkUpdateDevicesResponseExample: code is the integer 1 there, a string in the
# schema; both are taken as the vendor's.
CELLULAR_RESPONSE_EXAMPLE = {"api": "device/bulkUpdate", "ver": "v4.0", "code": 1, "message": "OK", "updatedDeviceNum": 5}

# api/public/bulkUpdateCustomAttribute.yaml answers CustomAttributeBulkUpdateDeviceResponseSchema (schemas.yaml):
# it counts attributes, not devices. Example: CustomAttributeBulkUpdateDevicesResponseExample.
CUSTOM_ATTRIBUTE_RESPONSE_PROPERTIES = {
    "api": "string",
    "ver": "string",
    "code": "string",
    "message": "string",
    "updatedAttributesNum": "integer",
    "errorCases": "object",
}
CUSTOM_ATTRIBUTE_RESPONSE_EXAMPLE = {"api": "device/bulkUpdate", "ver": "v4.0", "code": 1, "message": "OK",
                                     "updatedAttributesNum": 4, "errorCases": {}}
# components/schemas.yaml CustomAttributeBulkUpdateDevicePayloadSchema: devicelist items.
CUSTOM_ATTRIBUTE_ITEM_PROPERTIES = {"deviceid": "string", "tagType": "string", "tagValue": "string"}

# components/schemas.yaml ErrorResponse, the 4XX/5XX answer of every operation: {code: string, msg: string}.
ERROR_RESPONSE_PROPERTIES = {"code": "string", "msg": "string"}
# components/examples.yaml BadRequestResponseExample, UnauthorizedResponseExample, RateLimitResponseExample
# (code is an integer in the examples).
ERROR_EXAMPLES = {
    400: {"code": 400, "msg": "Bad Request. This occurs when an HTTP request contains an invalid query string."},
    403: {"code": 403, "msg": "Forbidden access. Either the provided API key is invalid or it does not have the "
                              "required RBAC permissions to run this API."},
    429: {"code": 429, "msg": "Too many requests. The number of requests for device details for a single device "
                              "exceeded the rate limit of 180 queries per minute per tenant."},
}

# api/public/deviceList.yaml: query parameters offset (integer), pagelength (integer, at most 1000, default 1000);
# the 200 answer is IoTDeviceInventoryResponse {total: integer, devices: array of DeviceDetails}.
DEVICE_LIST_MAX_PAGE_LENGTH = 1000
DEVICE_INVENTORY_PROPERTIES = {"total": "integer", "devices": "array"}
# components/schemas.yaml DeviceDetails: the properties of a device/list item.
DEVICE_DETAILS_PROPERTIES = {
    "deviceid": "string",
    "hostname": "string",
    "category": "string",
    "profile": "string",
    "profile_type": "string",
    "profile_vertical": "string",
    "ip_address": "string",
    "mac_address": "string",
    "risk_score": "integer",
    "risk_level": "string",
    "last_activity": "string",
    "confidence_score": "string",
    "tagIdList": "array",
    "allTags": "array",
    "trafficRestricted": "boolean",
}

JSON_TYPES = {"string": str, "integer": int, "object": dict, "array": list, "boolean": bool}


def type_problems(data: dict, properties: dict[str, str], where: str, also: dict[str, str] | None = None) -> list[str]:
    """Keys the spec does not name for ``where``, and values of another type than the spec's."""
    allowed = dict(properties, **(also or {}))
    problems = [f"{where}: {key!r} is not in the spec" for key in data if key not in allowed]
    for key, value in data.items():
        wanted = allowed.get(key)
        if wanted is None:
            continue
        if (isinstance(value, bool) and wanted != "boolean") or not isinstance(value, JSON_TYPES[wanted]):
            problems.append(f"{where}: {key!r} is {type(value).__name__}, the spec says {wanted}")
    return problems


# --------------------------------------------------------------------------------------------------------
# Strata Cloud Manager access tokens. Sources (PaloAltoNetworks/pan.dev, same snapshot):
# products/scm/docs/access-tokens.md (https://pan.dev/scm/docs/access-tokens),
# products/iot/api/iot-public-api-new.md (https://pan.dev/iot/api/iot-public-api-new),
# openapi-specs/scm/auth/AuthService.yaml.

# Both pages give this request:
#   curl -d "grant_type=client_credentials&scope=tsg_id:<tsg_id>" -u <client_id>:<client_secret> \
#        -H "Content-Type: application/x-www-form-urlencoded" -X POST https://auth.apps.paloaltonetworks.com/oauth2/access_token
# "This API uses basic auth. Use your Client ID for the username, and Client Secret for the password."
TOKEN_URL = "https://auth.apps.paloaltonetworks.com/oauth2/access_token"
TOKEN_METHOD = "POST"
TOKEN_CONTENT_TYPE = "application/x-www-form-urlencoded"
TOKEN_CLIENT_AUTH = "basic"
TOKEN_FORM_TEMPLATE = "grant_type=client_credentials&scope=tsg_id:{tsg_id}"
# AuthService.yaml: POST /auth/v1/oauth2/access_token, requestBody application/x-www-form-urlencoded with grant_type
# (required, enum [client_credentials]) and scope ("tsg_id:<TSG_ID>"); security Basic; 200 AccessToken; 400 "Invalid
# Request"; 401 "Invalid Client".
AUTH_SERVICE_TOKEN_PATH = "/auth/v1/oauth2/access_token"
TOKEN_FORM_FIELDS = {"grant_type": "string", "scope": "string"}
ACCESS_TOKEN_PROPERTIES = {"access_token": "string", "token_type": "string", "expires_in": "integer", "scope": "string"}
TOKEN_REFUSALS = {"invalid request": 400, "invalid client": 401}
# iot-public-api-new.md, the answer: {"access_token": "eyJ0eXAiOiJKV1QiLCJraWQiOiJyc2Etc2lnbi1wa2NzMS0yMDQ4LXNoYTI1Ni8xIiwi
# YWxnIjoiUlMyNTYifQ...", "scope": "profile tsg_id: 0123456789 email", "token_type": "Bearer", "expires_in": 899};
# the token's header decodes to {"typ":"JWT","kid":"rsa-sign-pkcs1-2048-sha256/1","alg":"RS256"}.
TOKEN_TYPE = "Bearer"
TOKEN_EXPIRES_IN = 899
TOKEN_JWT_HEADER = {"typ": "JWT", "kid": "rsa-sign-pkcs1-2048-sha256/1", "alg": "RS256"}
# Then: curl 'https://api.strata.paloaltonetworks.com/iot/pub/v1/device/list?detail=true&pagelength=100'
#       --header 'Authorization: Bearer <access-token>'   (no customerid).
SCM_AUTH_HEADER_PREFIX = "Bearer "
