@carepath
Feature: The seed paper's two unit typos are caught, not silently believed
  Table 1 heads its WBC column "/mL", although the counts are per µL; and the Methods keep the
  cyclosporine level at "150-300 µg/ml", although levels in that range are per litre (ng/mL).
  Each input declares a plausible range, so a value written in the wrong unit is rejected with an
  error naming the field and the unit that was probably meant, instead of deciding anything.

  Scenario: Table 1's "/mL" header: patient 1's WBC as printed is rejected
    Given the protocol "protocols/severance_2011.care"
    And a patient "1" with:
      | field            | value         |
      | age_at_diagnosis | 6 months      |
      | wbc_at_diagnosis | 33900 /mL     |
      | mll              | translocation |
    And a patient "1, per µL" with:
      | field            | value         |
      | age_at_diagnosis | 6 months      |
      | wbc_at_diagnosis | 33900 /uL     |
      | mll              | translocation |
    When the protocol is evaluated
    Then patient "1" is rejected with an error on "wbc_at_diagnosis" mentioning "outside the plausible range"
    And patient "1" is rejected with an error on "wbc_at_diagnosis" mentioning "that is 33.9 /µL"
    And patient "1" is rejected with an error on "wbc_at_diagnosis" mentioning "was /mL meant as /µL?"
    And patient "1, per µL" is accepted
    And patient "1, per µL" is assigned "high" for "risk_group"

  Scenario Outline: The Methods' "µg/ml" cyclosporine level: <level>
    Given the protocol:
      """
      protocol cyclosporine_target "Cyclosporine level kept in the target range after HSCT"
        source "Lee 2011, Methods: 약물농도를 150-300 µg/ml 을 유지 (per litre meant)"
      input
        cyclosporine_level : quantity ug/L plausible 20 ug/L .. 1000 ug/L
      criterion in_target "Cyclosporine 150-300 µg/L":
        cyclosporine_level >= 150 ug/L and cyclosporine_level <= 300 ug/L
      recommend keep_rate "Keep the infusion rate": when in_target
      """
    And a patient "P" with:
      | field              | value   |
      | cyclosporine_level | <level> |
    When the protocol is evaluated
    Then patient "P" <outcome>

    Examples:
      | level      | outcome                                                                                   |
      | 250 ug/mL  | is rejected with an error on "cyclosporine_level" mentioning "outside the plausible range" |
      | 250 µg/ml  | is rejected with an error on "cyclosporine_level" mentioning "was µg/ml meant as µg/L?"    |
      | 250 ug/L   | is assigned "yes" for "keep_rate"                                                         |
      | 250 ng/mL  | is assigned "yes" for "keep_rate"                                                         |
      | 0.25 ug/mL | is assigned "yes" for "keep_rate"                                                         |
      | 0.4 ug/mL  | is assigned "no" for "keep_rate"                                                          |

  Scenario: A dose where a concentration belongs is a protocol error
    Given the protocol:
      """
      protocol cyclosporine_target "Cyclosporine level kept in the target range after HSCT"
      input
        cyclosporine_level : quantity ug/L plausible 20 ug/L .. 1000 ug/L
      criterion started "Started at 3.0 mg/kg":
        cyclosporine_level >= 3.0 mg/kg
      """
    When the protocol is checked
    Then the protocol is rejected with "CP302" at line 5 mentioning "mass concentration"
